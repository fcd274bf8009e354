// A warm function process for `npm run bench:profile`: imports the bundle, serves `BENCH_WARMUP` requests
// unprofiled, then profiles the rest (inspector, 100 µs sampling) and writes the profile to `BENCH_PROFILE_OUT`.
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';

const { handler } = await import(process.env.BENCH_BUNDLE);
const template = JSON.parse(process.env.BENCH_EVENT);
const ids = JSON.parse(process.env.BENCH_IDS);
const warmup = Number(process.env.BENCH_WARMUP);
const context = { awsRequestId: 'profile', functionName: 'bench', getRemainingTimeInMillis: () => 10_000 };
const eventFor = (id) => ({ ...template, pathParameters: { id }, rawPath: `/management/v1/actions/${id}/_deactivate` });
const serve = async (id) => {
  const result = await handler(eventFor(id), context);
  if (result.statusCode !== 200) throw new Error(`handler answered ${result.statusCode} for ${id}`);
};

for (const id of ids.slice(0, warmup)) await serve(id);
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_INTERVAL ?? 100) });
await session.post('Profiler.start');
const started = performance.now();
for (const id of ids.slice(warmup)) await serve(id);
const msPerRequest = (performance.now() - started) / (ids.length - warmup);
const { profile } = await session.post('Profiler.stop');
writeFileSync(process.env.BENCH_PROFILE_OUT, JSON.stringify(profile));
process.send({ msPerRequest });
process.exit(0);
