import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './cold-start.ts';
import { ORG, seedActions, type BenchWorld } from './world.ts';

const CHILD = fileURLToPath(new URL('./warm-child.mjs', import.meta.url));

/** A warm function process (the bundle, imported once), driven block by block over IPC. */
async function startWarmProcess(world: BenchWorld, bundle: string) {
  const child: ChildProcess = fork(CHILD, [], {
    execArgv: ['--expose-gc', ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [])],
    env: { PATH: process.env.PATH, ...world.functionEnv, BENCH_BUNDLE: bundle, BENCH_ORG: ORG, BENCH_EVENT: JSON.stringify(world.event('template')) },
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
    block: async (kind: 'handler' | 'direct', ids: string[]) => (await request<{ ms: number }>({ type: 'block', kind, ids }, 'block')).ms,
    memory: () => request<{ rss: number; heapUsed: number }>({ type: 'memory' }, 'memory'),
    exit: () => child.send({ type: 'exit' }),
  };
}

/**
 * Per-request cost of the warm handler as a ratio to the bare UpdateItem, the key set fetches
 * per warm call, and memory over `memoryRequests` calls (none when 0).
 */
export async function measureWarm(world: BenchWorld, bundle: string, { blocks = 30, blockSize = 100, memoryRequests = 10_000 } = {}) {
  const warmup = 200;
  const ids = await seedActions(world, `warm-${Date.now()}`, warmup + 2 * blocks * blockSize + memoryRequests);
  let next = 0;
  const take = (n: number) => ids.slice(next, (next += n));

  const fn = await startWarmProcess(world, bundle);
  try {
    // First calls: JIT, key set fetch, connection set-up, ZITADEL's first answer. Not measured.
    const zitadelAtStart = world.zitadelRequests();
    await fn.block('handler', take(1));
    const zitadelFirstRequest = world.zitadelRequests() - zitadelAtStart;
    await fn.block('handler', take(warmup / 2 - 1));
    await fn.block('direct', take(warmup / 2));

    const handlerMs: number[] = [];
    const directMs: number[] = [];
    const jwksBefore = world.zitadel.stats.jwks;
    const zitadelBefore = world.zitadelRequests();
    for (let b = 0; b < blocks; b++) {
      // Alternate which goes first, so neither always runs on a warmer machine.
      if (b % 2 === 0) {
        handlerMs.push(await fn.block('handler', take(blockSize)));
        directMs.push(await fn.block('direct', take(blockSize)));
      } else {
        directMs.push(await fn.block('direct', take(blockSize)));
        handlerMs.push(await fn.block('handler', take(blockSize)));
      }
    }
    const calls = blocks * blockSize;
    const jwksPerRequest = (world.zitadel.stats.jwks - jwksBefore) / calls;
    const zitadelPerRequest = (world.zitadelRequests() - zitadelBefore) / calls;

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
    return {
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
