/**
 * `npm run bench`: builds the bundle the stack deploys and measures, on this machine, its size,
 * cold start, warm per-request cost against the physical floor and DynamoDB requests per call on
 * both engines (dynalite and DynamoDB Local), local server throughput and memory. Prints the table
 * and writes it to bench/out/RESULTS.md; `npm run bench -- --write` also replaces bench/RESULTS.md.
 */
import { cpus, totalmem } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBundle, buildPlainBundle, buildStraightforwardBundle, bytesByPackage } from './bundle.ts';
import { measureColdStart } from './cold-start.ts';
import { measureThroughput } from './throughput.ts';
import { measureRequestsPerCall, type RequestsPerCall } from './requests-per-call.ts';
import { measureWarm } from './warm.ts';
import { startBenchWorld } from './world.ts';
import { projectRoot } from '../infra/function-bundle.ts';
import { javaAvailable, JAVA_INSTALL_HINT } from '../infra/local/dynamodb-local.ts';
import { DYNAMODB_LOCAL } from '../test/support/engines.ts';

const writeCommitted = process.argv.includes('--write');

const TARGETS = { bundleBytes: 300 * 1024, coldToStraightforward: 0.5, firstToWarm: 2, warmRatio: 1.15 };

const ms = (x: number) => `${x.toFixed(1)} ms`;
const kb = (x: number) => `${(x / 1024).toFixed(1)} KB (${x} B)`;
const mb = (x: number) => `${(x / 2 ** 20).toFixed(1)} MiB`;
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');

const started = Date.now();
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node} (${process.arch})`;
console.log(`bench on ${machine}`);

const deployed = await buildBundle();
const plain = await buildPlainBundle();
const straightforward = await buildStraightforwardBundle();
console.log(`bundle: ${deployed.bytes} B (our code bundled plainly: ${plain.bytes} B; straightforward build: ${straightforward.bytes} B)`);

const world = await startBenchWorld();
try {
  console.log('cold start …');
  const cold = await measureColdStart(world, { deployed: deployed.file, plain: plain.file, straightforward: straightforward.file });
  console.log('warm cost and memory (dynalite) …');
  const warm = await measureWarm(world, deployed.file, { other: straightforward.file });
  const requests = await measureRequestsPerCall(world);
  console.log('local server throughput …');
  const load = await measureThroughput(world);

  // The default authorization mode (ZITADEL's Auth API with a PAT), same engine, same run.
  console.log('warm cost (zitadel mode, dynalite) …');
  const zitadelWorld = await startBenchWorld(undefined, 'zitadel');
  let zitadelMode: Awaited<ReturnType<typeof measureWarm>>;
  try {
    zitadelMode = await measureWarm(zitadelWorld, deployed.file, { memoryRequests: 0, other: straightforward.file });
  } finally {
    await zitadelWorld.close();
  }

  // The same warm measure and request counts on Amazon's engine, in the same run.
  let local: { warm: Awaited<ReturnType<typeof measureWarm>>; requests: RequestsPerCall } | undefined;
  if (javaAvailable()) {
    console.log('warm cost (DynamoDB Local) …');
    const localWorld = await startBenchWorld(DYNAMODB_LOCAL);
    try {
      local = {
        warm: await measureWarm(localWorld, deployed.file, { memoryRequests: 0, other: straightforward.file }),
        requests: await measureRequestsPerCall(localWorld),
      };
    } finally {
      await localWorld.close();
    }
  } else {
    console.log(`!!! DynamoDB Local not measured: ${JAVA_INSTALL_HINT}`);
  }

  const c = cold.bundles.deployed!;
  const p = cold.bundles.plain!;
  const s = cold.bundles.straightforward!;
  const coldRatio = c.coldMs / s.coldMs;
  const firstToWarm = c.firstRequestMs / warm.handlerMs;
  const q = (xs: readonly number[], digits = 1) => xs.map((x) => x.toFixed(digits)).join('–');
  const heapGrowth = warm.memoryEnd.heapUsed - warm.memoryStart.heapUsed;
  const rows = [
    ['Bundle size (minified, AWS SDK included)', kb(deployed.bytes), `≤ ${TARGETS.bundleBytes / 1024} KB: ${verdict(deployed.bytes <= TARGETS.bundleBytes)}`],
    [
      `Cold start: import + init + first request, ours / straightforward build (median of ${cold.runs})`,
      `${ms(c.coldMs)} / ${ms(s.coldMs)} = ${coldRatio.toFixed(2)}×`,
      `≤ ${TARGETS.coldToStraightforward}×: ${verdict(coldRatio <= TARGETS.coldToStraightforward)}; quartiles ours ${q(c.coldQuartiles)} ms, straightforward ${q(s.coldQuartiles)} ms; CPU time ${ms(c.coldCpuMs)} / ${ms(s.coldCpuMs)}`,
    ],
    [
      '… import + init / first request',
      `ours ${ms(c.importMs)} / ${ms(c.firstRequestMs)}; straightforward ${ms(s.importMs)} / ${ms(s.firstRequestMs)}`,
      `process start to exit beyond a bare Node process (${ms(cold.bareMs)}): ours ${ms(c.addedMs)}, straightforward ${ms(s.addedMs)}`,
    ],
    [
      'First request after init / a warm request (ours, dynalite)',
      `${ms(c.firstRequestMs)} / ${ms(warm.handlerMs)} = ${firstToWarm.toFixed(1)}×`,
      `≤ ${TARGETS.firstToWarm}×: ${verdict(firstToWarm <= TARGETS.firstToWarm)}; CPU time ${ms(c.firstRequestCpuMs)} / ${ms(warm.cpuUs.handler / 1000)}`,
    ],
    ...engineRows('dynalite', warm, requests),
    ...(local === undefined
      ? [['DynamoDB Local', 'not measured', JAVA_INSTALL_HINT]]
      : engineRows('DynamoDB Local', local.warm, local.requests)),
    ['JWKS fetches per warm request', warm.jwksPerRequest.toFixed(3), `= 0: ${verdict(warm.jwksPerRequest === 0)}`],
    [
      'zitadel mode (PAT, dynalite): warm cost ratio handler / direct UpdateItem',
      `${zitadelMode.ratio.toFixed(3)}×`,
      `≤ ${TARGETS.warmRatio}×: ${verdict(zitadelMode.ratio <= TARGETS.warmRatio)}; claims mode above: ${warm.ratio.toFixed(3)}×; quartiles ${zitadelMode.ratioQuartiles.map((x) => x.toFixed(3)).join('–')}; handler ${ms(zitadelMode.handlerMs)}, direct ${ms(zitadelMode.directMs)}`,
    ],
    ...straightforwardRows('zitadel mode (PAT, dynalite)', zitadelMode, 'asks ZITADEL on every request, no cache'),
    [
      'zitadel mode: ZITADEL requests, first request of a token / per warm (cached) request',
      `${zitadelMode.zitadelFirstRequest} / ${zitadelMode.zitadelPerRequest.toFixed(3)}`,
      `≤ 2 in one round trip / = 0: ${verdict(zitadelMode.zitadelFirstRequest <= 2 && zitadelMode.zitadelPerRequest === 0)}`,
    ],
    [`Local server throughput (${load.amount} requests, ${load.connections} connections)`, `${load.requestsPerSecond.toFixed(0)} req/s`, `p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, non-2xx ${load.non2xx}, errors ${load.errors}`],
    [`Peak memory over ${warm.memoryRequests} more warm requests (the process also holds the straightforward build)`, `RSS ${mb(Math.max(...warm.memory.map((m) => m.rss)))}`, `heap after GC, every ${warm.memoryRequests / 5} requests: ${warm.memory.map((m) => (m.heapUsed / 2 ** 20).toFixed(1)).join(' → ')} MiB (growth ${mb(heapGrowth)}); RSS ${warm.memory.map((m) => (m.rss / 2 ** 20).toFixed(0)).join(' → ')} MiB`],
  ];
  const table = [
    '| figure | value | target / note |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

  const coldRow = (name: string, bytes: number, b: typeof c) =>
    `| ${name} | ${kb(bytes)} | ${ms(b.coldMs)} (${q(b.coldQuartiles)}) | ${ms(b.importMs)} | ${ms(b.firstRequestMs)} | ${ms(b.coldCpuMs)} | ${ms(b.addedMs)} |`;
  const beforeAfter = [
    '| bundle | size | import + init + first (quartiles) | import + init | first request | CPU time, import + first | process added to a bare one |',
    '|---|---|---|---|---|---|---|',
    coldRow('straightforward build (bench/straightforward: middy, Document client, no tuning)', straightforward.bytes, s),
    coldRow('our code bundled plainly (ES imports of built-ins, full credential chain)', plain.bytes, p),
    coldRow('deployed (infra/function-bundle.ts)', deployed.bytes, c),
  ].join('\n');

  const packages = bytesByPackage(deployed.metafile)
    .slice(0, 8)
    .map(([pkg, bytes]) => `${pkg} ${(bytes / 1024).toFixed(1)} KB`)
    .join(', ');

  const report = `# Benchmark results

Made by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, ${machine}, in ${((Date.now() - started) / 1000).toFixed(0)} s.
Everything runs on loopback: dynalite (in memory, in the benchmark process), DynamoDB Local (in memory, its own Java
process) and the dev ZITADEL (key set and Auth API over HTTP); cold start, throughput and memory use dynalite and the claims mode (a JWT verified offline); the zitadel mode (a PAT, ZITADEL's Auth API asked once, then the cached decision) is measured warm. The function runs in its own Node process, as on Lambda, without \`--enable-source-maps\` (the stack does not set it).
The straightforward build (bench/straightforward/handler.ts: middy with its JSON body parser, header normalizer and error
handler, aws-jwt-verify, the DynamoDB Document client, Powertools Logger; bundled minified, no source map) runs beside
ours: in the same warm process, in blocks of its own between ours and the direct UpdateItem, and in the cold-start turns.
This machine is shared and noisy: compare figures within one run; CPU time per request (the function process's own)
is the steadier figure.

${table}

## Cold start by build (same run, taking turns)

${beforeAfter}

Largest parts of the deployed bundle: ${packages}.
`;
  const out = join(projectRoot, 'bench', 'out');
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'RESULTS.md'), `${report}${await notes()}`);
  if (writeCommitted) await writeFile(join(projectRoot, 'bench', 'RESULTS.md'), `${report}${await notes()}`);
  console.log(`\n${table}\n\n${beforeAfter}\n\nwritten to bench/out/RESULTS.md${writeCommitted ? ' and bench/RESULTS.md' : ' (bench/RESULTS.md only with --write)'}`);
} finally {
  await world.close();
}

/** The straightforward build measured in the same warm process: its ratio to the floor and ours to it. */
function straightforwardRows(label: string, w: Awaited<ReturnType<typeof measureWarm>>, note = ''): string[][] {
  const sf = w.straightforward;
  if (sf === undefined) return [];
  const qs = (xs: readonly number[]) => xs.map((x) => x.toFixed(3)).join('–');
  return [
    [
      `${label}: straightforward build, warm per request / direct UpdateItem`,
      `${ms(sf.ms)}; ${sf.toDirect.median.toFixed(3)}×`,
      `quartiles ${qs(sf.toDirect.quartiles)}${note ? `; ${note}` : ''}`,
    ],
    [
      `${label}: ours / straightforward build, warm (median of block pairs)`,
      `${sf.oursToIt.median.toFixed(3)}×`,
      `≤ 1×: ${verdict(sf.oursToIt.median <= 1)}; quartiles ${qs(sf.oursToIt.quartiles)}; CPU time per request ours ${w.cpuUs.handler.toFixed(0)} µs, straightforward ${sf.cpuUs.toFixed(0)} µs, direct ${w.cpuUs.direct.toFixed(0)} µs`,
    ],
  ];
}

/** The warm figures and DynamoDB requests per call of one engine. */
function engineRows(engine: string, w: Awaited<ReturnType<typeof measureWarm>>, r: RequestsPerCall): string[][] {
  return [
    [`${engine}: warm handler per request (median of ${w.blocks} blocks × ${w.blockSize})`, ms(w.handlerMs), ''],
    [`${engine}: direct UpdateItem, same engine, same run`, ms(w.directMs), ''],
    [
      `${engine}: warm cost ratio handler / direct UpdateItem (median of block pairs)`,
      `${w.ratio.toFixed(3)}×`,
      `≤ ${TARGETS.warmRatio}×: ${verdict(w.ratio <= TARGETS.warmRatio)}; quartiles ${w.ratioQuartiles.map((x) => x.toFixed(3)).join('–')}`,
    ],
    ...straightforwardRows(`${engine} (claims mode)`, w),
    [
      `${engine}: DynamoDB requests per call: success / NotActive / NotFound`,
      `${r.success} / ${r.notActive} / ${r.notFound}`,
      'counted on the wire; a NotFound always reads once (no engine returns an item that does not exist)',
    ],
  ];
}

/** The hand-written analysis kept below the generated figures (bench/NOTES.md). */
async function notes(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  try {
    return `\n${await readFile(join(projectRoot, 'bench', 'NOTES.md'), 'utf8')}`;
  } catch {
    return '';
  }
}
