/**
 * `npm run bench:profile -- [claims|zitadel] [requests] [deployed|straightforward]`: where a warm request's time
 * goes. Serves `requests` warm requests (after 300 unprofiled ones) in one function process against dynalite and
 * the dev ZITADEL, profiles them with the inspector and prints self time by package and by function, bundle
 * positions mapped through the source map to the packages they came from. The profile is kept in bench/out/.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle, buildStraightforwardBundle, OUT_DIR } from './bundle.ts';
import { seedActions, startBenchWorld } from './world.ts';
import type { AuthzMode } from '../functions/deactivate-action/config.ts';

const WARMUP = 300;

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { url: string; functionName: string; lineNumber: number; columnNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

/** Self time (µs) per package and per function of a V8 CPU profile. */
export function selfTime(profile: CpuProfile) {
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((node, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(node, (self.get(node) ?? 0) + dt);
    total += dt;
  });
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (url: string) => {
    if (!maps.has(url)) {
      try {
        maps.set(url, new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]));
      } catch {
        maps.set(url, undefined);
      }
    }
    return maps.get(url);
  };
  const packageOf = (source: string) =>
    /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1] ??
    (source.startsWith('node:') ? source.split('/')[0]! : source.includes('/functions/') ? 'functions (ours)' : source);
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const { id, callFrame } of profile.nodes) {
    const t = self.get(id) ?? 0;
    if (t === 0) continue;
    let { url: source, functionName: name, lineNumber: line } = callFrame;
    const map = source.startsWith('file:') && source.endsWith('.mjs') ? mapOf(source) : undefined;
    if (map !== undefined) {
      const entry = map.findEntry(line, callFrame.columnNumber) as { originalSource?: string; originalLine?: number; name?: string };
      source = entry.originalSource ?? source;
      name = entry.name ?? name;
      line = entry.originalLine ?? line;
    }
    const pkg = source === '' ? `(${name.replace(/[()]/g, '')})` : packageOf(source);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + t);
    const fn = `${pkg}  ${name || '(anonymous)'}  ${source.split('/').slice(-2).join('/')}:${line + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
  }
  return { total, byPackage, byFunction };
}

if (import.meta.main) {
  const mode = (process.argv[2] ?? 'claims') as AuthzMode;
  const requests = Number(process.argv[3] ?? 3000);
  const which = process.argv[4] ?? 'deployed';
  const bundle = which === 'straightforward' ? await buildStraightforwardBundle() : await buildBundle();
  const out = join(OUT_DIR, `warm-${mode}-${which}.cpuprofile`);
  const world = await startBenchWorld(undefined, mode);
  try {
    const ids = await seedActions(world, `profile-${Date.now()}`, WARMUP + requests);
    const report = await new Promise<{ msPerRequest: number }>((resolve, reject) => {
      const child = fork(fileURLToPath(new URL('./profile-child.mjs', import.meta.url)), [], {
        env: {
          PATH: process.env.PATH,
          ...world.functionEnv,
          BENCH_BUNDLE: bundle.file,
          BENCH_EVENT: JSON.stringify(world.event('template')),
          BENCH_IDS: JSON.stringify(ids),
          BENCH_WARMUP: String(WARMUP),
          BENCH_PROFILE_OUT: out,
        },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      child.on('message', (m) => resolve(m as { msPerRequest: number }));
      child.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`profile process exited with ${code}`))));
    });
    const { total, byPackage, byFunction } = selfTime(JSON.parse(readFileSync(out, 'utf8')) as CpuProfile);
    const perRequest = (us: number) => `${(us / requests).toFixed(1).padStart(7)} µs/request  ${((100 * us) / total).toFixed(1).padStart(5)} %`;
    const top = (m: Map<string, number>, n: number) =>
      [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${perRequest(us)}  ${k}`).join('\n');
    console.log(`${mode} mode, ${which}: ${requests} warm requests, ${report.msPerRequest.toFixed(3)} ms each (wall, profiler on); profile in ${out}`);
    console.log(`\nself time by package\n${top(byPackage, 20)}\n\nself time by function\n${top(byFunction, 25)}`);
  } finally {
    await world.close();
  }
}
