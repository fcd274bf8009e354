import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './cold-start.ts';
import { ORG, seedActions, type BenchWorld } from './world.ts';

const CHILD = fileURLToPath(new URL('./warm-child.mjs', import.meta.url));

type Kind = 'handler' | 'direct' | 'other';

/** Median and quartiles of a list. */
function spread(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: median(s), quartiles: [s[Math.floor(s.length / 4)]!, s[Math.floor((3 * s.length) / 4)]!] as const };
}

/** A warm function process (the bundle, imported once), driven block by block over IPC. */
async function startWarmProcess(world: BenchWorld, bundle: string, other?: string) {
  const child: ChildProcess = fork(CHILD, [], {
    execArgv: ['--expose-gc', ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [])],
    env: { PATH: process.env.PATH, ...world.functionEnv, BENCH_BUNDLE: bundle, ...(other === undefined ? {} : { BENCH_OTHER_BUNDLE: other }), BENCH_ORG: ORG, BENCH_EVENT: JSON.stringify(world.event('template')) },
    // Log lines go where Lambda's would go: out of the process, not to our terminal.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let pending: { type: string; resolve: (m: any) => void; reject: (e: Error) => void } | undefined;
  child.on('message', (m: { type: string }) => {
    if (pending?.type === m.type) pending.resolve(m);
  });
  child.on('exit', (code) => pending?.reject(new Error(`warm process exited with ${code}`)));
  // One request at a time: the process answers each message before it gets the next.
  const request = <T>(msg: object, type: string) =>
    new Promise<T>((resolve, reject) => {
      pending = { type, resolve, reject };
      if (type !== 'ready') child.send(msg);
    });
  await request({}, 'ready');
  return {
    block: async (kind: Kind, ids: string[]) => request<{ ms: number; cpuUs: number }>({ type: 'block', kind, ids }, 'block'),
    memory: () => request<{ rss: number; heapUsed: number }>({ type: 'memory' }, 'memory'),
    exit: () => child.send({ type: 'exit' }),
  };
}

/**
 * Per-request cost of the warm handler as a ratio to the bare UpdateItem, the key set fetches
 * per warm call, and memory over `memoryRequests` calls (none when 0). With `other` (a second bundle,
 * the straightforward build) that one runs in the same process too, in blocks of its own between ours and the
 * floor, and is compared with both.
 */
export async function measureWarm(
  world: BenchWorld,
  bundle: string,
  { blocks = 30, blockSize = 100, memoryRequests = 10_000, other }: { blocks?: number; blockSize?: number; memoryRequests?: number; other?: string } = {},
) {
  const warmup = 200;
  const kinds: Kind[] = other === undefined ? ['handler', 'direct'] : ['handler', 'direct', 'other'];
  const ids = await seedActions(world, `warm-${Date.now()}`, warmup * 2 + kinds.length * blocks * blockSize + memoryRequests);
  let next = 0;
  const take = (n: number) => ids.slice(next, (next += n));

  const fn = await startWarmProcess(world, bundle, other);
  try {
    // First calls: JIT, key set fetch, connection set-up, ZITADEL's first answer. Not measured.
    const zitadelAtStart = world.zitadelRequests();
    await fn.block('handler', take(1));
    const zitadelFirstRequest = world.zitadelRequests() - zitadelAtStart;
    await fn.block('handler', take(warmup / 2 - 1));
    await fn.block('direct', take(warmup / 2));
    if (other !== undefined) await fn.block('other', take(warmup));

    const times: Record<Kind, number[]> = { handler: [], direct: [], other: [] };
    // CPU time of the function process per request: steadier than wall time on a busy machine.
    const cpu: Record<Kind, number[]> = { handler: [], direct: [], other: [] };
    let jwks = 0;
    let zitadel = 0;
    for (let b = 0; b < blocks; b++) {
      // Rotate which goes first, so none always runs on a warmer machine.
      for (let k = 0; k < kinds.length; k++) {
        const kind = kinds[(b + k) % kinds.length]!;
        const jwksBefore = world.zitadel.stats.jwks;
        const zitadelBefore = world.zitadelRequests();
        const { ms, cpuUs } = await fn.block(kind, take(blockSize));
        times[kind].push(ms);
        cpu[kind].push(cpuUs);
        if (kind === 'handler') {
          jwks += world.zitadel.stats.jwks - jwksBefore;
          zitadel += world.zitadelRequests() - zitadelBefore;
        }
      }
    }
    const handlerMs = times.handler;
    const directMs = times.direct;
    const calls = blocks * blockSize;
    const jwksPerRequest = jwks / calls;
    const zitadelPerRequest = zitadel / calls;

    // Memory after each fifth of the run: a leak shows as steady growth, not as one early step.
    const memory = [await fn.memory()];
    for (let i = 0; i < (memoryRequests > 0 ? 5 : 0); i++) {
      await fn.block('handler', take(memoryRequests / 5));
      memory.push(await fn.memory());
    }
    const memoryStart = memory[0]!;
    const memoryEnd = memory.at(-1)!;

    // Each handler block against the direct block next to it: drift of the machine cancels out.
    const pairRatios = handlerMs.map((h, i) => h / directMs[i]!).sort((a, b) => a - b);
    const straightforward =
      other === undefined
        ? undefined
        : {
            ms: median(times.other),
            cpuUs: median(cpu.other),
            toDirect: spread(times.other.map((o, i) => o / directMs[i]!)),
            oursToIt: spread(handlerMs.map((h, i) => h / times.other[i]!)),
          };
    return {
      straightforward,
      /** Median CPU µs per request in the function process: ours, the direct UpdateItem. */
      cpuUs: { handler: median(cpu.handler), direct: median(cpu.direct) },
      handlerMs: median(handlerMs),
      directMs: median(directMs),
      ratio: median(pairRatios),
      ratioQuartiles: [pairRatios[Math.floor(blocks / 4)]!, pairRatios[Math.floor((3 * blocks) / 4)]!] as const,
      blocks,
      blockSize,
      jwksPerRequest,
      zitadelFirstRequest,
      zitadelPerRequest,
      memoryRequests,
      memoryStart,
      memoryEnd,
      memory,
    };
  } finally {
    fn.exit();
  }
}
