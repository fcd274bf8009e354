/**
 * `npm run bench`: builds the bundle the stack deploys and measures, on this machine, its size,
 * cold start, warm per-request cost against the physical floor, local server throughput and
 * memory. Prints the table and writes it to bench/RESULTS.md.
 */
import { cpus, totalmem } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBundle, buildStraightforwardBundle, bytesByPackage } from './bundle.ts';
import { measureColdStart } from './cold-start.ts';
import { measureThroughput } from './throughput.ts';
import { measureWarm } from './warm.ts';
import { startBenchWorld } from './world.ts';
import { projectRoot } from '../infra/function-bundle.ts';

const TARGETS = { bundleBytes: 300 * 1024, coldAddedMs: 60, warmRatio: 1.15 };

const ms = (x: number) => `${x.toFixed(1)} ms`;
const kb = (x: number) => `${(x / 1024).toFixed(1)} KB (${x} B)`;
const mb = (x: number) => `${(x / 2 ** 20).toFixed(1)} MiB`;
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');

const started = Date.now();
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node} (${process.arch})`;
console.log(`bench on ${machine}`);

const deployed = await buildBundle();
const straightforward = await buildStraightforwardBundle();
console.log(`bundle: ${deployed.bytes} B (straightforward build: ${straightforward.bytes} B)`);

const world = await startBenchWorld();
try {
  console.log('cold start …');
  const cold = await measureColdStart(world, { deployed: deployed.file, straightforward: straightforward.file });
  console.log('warm cost and memory …');
  const warm = await measureWarm(world, deployed.file);
  console.log('local server throughput …');
  const load = await measureThroughput(world);

  const c = cold.bundles.deployed!;
  const s = cold.bundles.straightforward!;
  const heapGrowth = warm.memoryEnd.heapUsed - warm.memoryStart.heapUsed;
  const rows = [
    ['Bundle size (minified, AWS SDK included)', kb(deployed.bytes), `≤ ${TARGETS.bundleBytes / 1024} KB: ${verdict(deployed.bytes <= TARGETS.bundleBytes)}`],
    [`Cold start added by our code (median of ${cold.runs})`, ms(c.addedMs), `≤ ${TARGETS.coldAddedMs} ms: ${verdict(c.addedMs <= TARGETS.coldAddedMs)}`],
    ['… of which: import of the bundle / first request', `${ms(c.importMs)} / ${ms(c.firstRequestMs)}`, `bare Node process: ${ms(cold.bareMs)}`],
    [`Warm handler per request (median of ${warm.blocks} blocks × ${warm.blockSize})`, ms(warm.handlerMs), ''],
    ['Direct UpdateItem, same dynalite, same run', ms(warm.directMs), ''],
    [
      'Warm cost ratio handler / direct UpdateItem (median of block pairs)',
      `${warm.ratio.toFixed(3)}×`,
      `≤ ${TARGETS.warmRatio}×: ${verdict(warm.ratio <= TARGETS.warmRatio)}; quartiles ${warm.ratioQuartiles.map((r) => r.toFixed(3)).join('–')}`,
    ],
    ['DynamoDB requests per warm request', warm.dynamoPerRequest.toFixed(3), `= 1: ${verdict(warm.dynamoPerRequest === 1)}`],
    ['JWKS fetches per warm request', warm.jwksPerRequest.toFixed(3), `= 0: ${verdict(warm.jwksPerRequest === 0)}`],
    [`Local server throughput (${load.amount} requests, ${load.connections} connections)`, `${load.requestsPerSecond.toFixed(0)} req/s`, `p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, non-2xx ${load.non2xx}, errors ${load.errors}`],
    [`Peak memory over ${warm.memoryRequests} more warm requests`, `RSS ${mb(Math.max(...warm.memory.map((m) => m.rss)))}`, `heap after GC, every ${warm.memoryRequests / 5} requests: ${warm.memory.map((m) => (m.heapUsed / 2 ** 20).toFixed(1)).join(' → ')} MiB (growth ${mb(heapGrowth)}); RSS ${warm.memory.map((m) => (m.rss / 2 ** 20).toFixed(0)).join(' → ')} MiB`],
  ];
  const table = [
    '| figure | value | target / note |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

  const beforeAfter = [
    '| bundle | size | cold start added | import | first request |',
    '|---|---|---|---|---|',
    `| straightforward (ES imports of built-ins, full credential chain) | ${kb(straightforward.bytes)} | ${ms(s.addedMs)} | ${ms(s.importMs)} | ${ms(s.firstRequestMs)} |`,
    `| deployed (infra/function-bundle.ts) | ${kb(deployed.bytes)} | ${ms(c.addedMs)} | ${ms(c.importMs)} | ${ms(c.firstRequestMs)} |`,
  ].join('\n');

  const packages = bytesByPackage(deployed.metafile)
    .slice(0, 8)
    .map(([pkg, bytes]) => `${pkg} ${(bytes / 1024).toFixed(1)} KB`)
    .join(', ');

  const report = `# Benchmark results

Made by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, ${machine}, in ${((Date.now() - started) / 1000).toFixed(0)} s.
Everything runs on loopback: dynalite (in memory) and a ZITADEL-like issuer serving its key set over HTTP, in the
benchmark process; the function runs in its own Node process, as on Lambda, with \`NODE_OPTIONS=--enable-source-maps\`.

${table}

## Before / after the cold-start measures (same run)

${beforeAfter}

Largest parts of the deployed bundle: ${packages}.
`;
  await writeFile(join(projectRoot, 'bench', 'RESULTS.md'), `${report}${await notes()}`);
  console.log(`\n${table}\n\n${beforeAfter}\n\nwritten to bench/RESULTS.md`);
} finally {
  await world.close();
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
