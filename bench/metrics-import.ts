/**
 * What Powertools Metrics adds to a cold start's import: two bundles built with the deployed options
 * (infra/function-bundle.ts), one importing the Logger only (as before metrics), one the Logger and
 * Metrics with its middleware, each constructed as the handler does. A fresh Node process imports one
 * and reports the time of the `import()`; the two take turns, medians of `RUNS` each.
 * `node bench/metrics-import.ts [runs]` — on a loaded machine, read the difference, not the absolutes.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions } from '../infra/function-bundle.ts';
import { OUT_DIR } from './bundle.ts';
import { median } from './cold-start.ts';

const RUNS = Number(process.argv[2] ?? 15);
const dir = join(OUT_DIR, 'metrics-import');
await mkdir(dir, { recursive: true });

const entries = {
  logger: "import { Logger } from '@aws-lambda-powertools/logger'; export const l = new Logger();",
  'logger+metrics':
    "import { Logger } from '@aws-lambda-powertools/logger'; import { Metrics } from '@aws-lambda-powertools/metrics';" +
    " import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';" +
    " export const l = new Logger(); export const m = new Metrics({ namespace: 'N' }); export const mw = logMetrics(m);",
};
const files: Record<string, string> = {};
for (const [name, source] of Object.entries(entries)) {
  const entry = join(dir, `${name}.entry.mjs`);
  await writeFile(entry, source);
  const outfile = join(dir, `${name}.mjs`);
  const { entryPoints: _entry, ...options } = esbuildOptions;
  await build({ ...options, entryPoints: [entry], outfile, logLevel: 'warning' });
  files[name] = outfile;
}

const probe = (file: string) =>
  `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`;
const times: Record<string, number[]> = { logger: [], 'logger+metrics': [] };
for (let i = 0; i < RUNS; i++) {
  for (const [name, file] of Object.entries(files)) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe(file)], { env: { PATH: process.env.PATH } });
    times[name]!.push(Number(out.toString().trim()));
  }
}
const best = (xs: number[]) => Math.min(...xs);
for (const [name, xs] of Object.entries(times)) console.log(`${name.padEnd(16)} import: best ${best(xs).toFixed(2)} ms, median ${median(xs).toFixed(2)} ms (${RUNS} runs)`);
// Under load the median drifts with the neighbours; the best run is the least disturbed one.
console.log(`Metrics adds ${(best(times['logger+metrics']!) - best(times.logger!)).toFixed(2)} ms (best vs best), ${(median(times['logger+metrics']!) - median(times.logger!)).toFixed(2)} ms (median vs median)`);
