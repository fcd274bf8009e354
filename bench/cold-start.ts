import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchWorld } from './world.ts';
import { seedActions } from './world.ts';

const CHILD = fileURLToPath(new URL('./cold-start-child.mjs', import.meta.url));

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export const quartiles = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor(s.length / 4)]!, s[Math.floor((3 * s.length) / 4)]!] as const;
};

/** What a cold-start child reports (bench/cold-start-child.mjs); the bare child only `cpuMs`. */
interface ChildReport {
  status: number;
  importMs: number;
  firstRequestMs: number;
  cpuMs: number;
  importCpuMs: number;
  firstRequestCpuMs: number;
}

/** Wall time from spawning a Node process until it exits, with its IPC report. */
function timedRun(args: { script: string; env: Record<string, string> }) {
  return new Promise<{ wallMs: number; report: ChildReport }>((resolve, reject) => {
    const start = performance.now();
    let report: ChildReport | undefined;
    const child = fork(args.script, [], { env: { PATH: process.env.PATH, ...args.env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.on('message', (m) => (report = m as ChildReport));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 && report !== undefined ? resolve({ wallMs: performance.now() - start, report }) : reject(new Error(`exit ${code}`))));
  });
}

/**
 * Cold start added by our code: a fresh Node process that imports a bundle and serves its first
 * request (key set fetched over loopback HTTP, one UpdateItem on dynalite), minus a bare Node
 * process that does nothing. Bundles and the bare process take turns, so noise hits all alike.
 */
export async function measureColdStart(world: BenchWorld, bundles: Record<string, string>, runs = 15) {
  const names = Object.keys(bundles);
  const ids = await seedActions(world, `cold-${Date.now()}`, (runs + 1) * names.length);
  let next = 0;
  const bare = fileURLToPath(new URL('./bare-child.mjs', import.meta.url));
  const coldRun = async (name: string) => {
    const run = await timedRun({
      script: CHILD,
      env: { ...world.functionEnv, BENCH_BUNDLE: bundles[name]!, BENCH_EVENT: JSON.stringify(world.event(ids[next++]!)) },
    });
    if (run.report.status !== 200) throw new Error(`cold start request answered ${run.report.status}`);
    return run;
  };
  const bareMs: number[] = [];
  const bareCpuMs: number[] = [];
  const samples = Object.fromEntries(
    names.map((n) => [
      n,
      {
        wallMs: [] as number[],
        importMs: [] as number[],
        firstRequestMs: [] as number[],
        coldMs: [] as number[],
        cpuMs: [] as number[],
        importCpuMs: [] as number[],
        firstRequestCpuMs: [] as number[],
        coldCpuMs: [] as number[],
      },
    ]),
  );
  // One untimed run of each fills the OS file cache.
  await timedRun({ script: bare, env: {} });
  for (const name of names) await coldRun(name);
  for (let i = 0; i < runs; i++) {
    const bareRun = await timedRun({ script: bare, env: {} });
    bareMs.push(bareRun.wallMs);
    bareCpuMs.push(bareRun.report.cpuMs);
    for (const name of names) {
      const { wallMs, report } = await coldRun(name);
      samples[name]!.wallMs.push(wallMs);
      samples[name]!.importMs.push(report.importMs);
      samples[name]!.firstRequestMs.push(report.firstRequestMs);
      samples[name]!.coldMs.push(report.importMs + report.firstRequestMs);
      samples[name]!.coldCpuMs.push(report.importCpuMs + report.firstRequestCpuMs);
      samples[name]!.cpuMs.push(report.cpuMs);
      samples[name]!.importCpuMs.push(report.importCpuMs);
      samples[name]!.firstRequestCpuMs.push(report.firstRequestCpuMs);
    }
  }
  const bare50 = median(bareMs);
  const bareCpu50 = median(bareCpuMs);
  return {
    runs,
    bareMs: bare50,
    bareCpuMs: bareCpu50,
    bundles: Object.fromEntries(
      names.map((n) => {
        const s = samples[n]!;
        return [
          n,
          {
            addedMs: median(s.wallMs) - bare50,
            wallMs: median(s.wallMs),
            importMs: median(s.importMs),
            firstRequestMs: median(s.firstRequestMs),
            /** Import + init + first request, each run's sum. */
            coldMs: median(s.coldMs),
            coldQuartiles: quartiles(s.coldMs),
            coldCpuMs: median(s.coldCpuMs),
            // CPU time (ms) of the function process beyond a bare Node process's, and of its import and first request.
            addedCpuMs: median(s.cpuMs) - bareCpu50,
            importCpuMs: median(s.importCpuMs),
            firstRequestCpuMs: median(s.firstRequestCpuMs),
          },
        ];
      }),
    ),
  };
}
