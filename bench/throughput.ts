import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import { projectRoot } from '../infra/function-bundle.ts';
import { seedActions, type BenchWorld } from './world.ts';
import { freePort } from '../test/support/ports.ts';


/**
 * Throughput of the local server (`npm start`'s server, the same handler behind an HTTP API
 * payload 2.0 adapter) under a bounded load on loopback: `amount` requests over `connections`,
 * each deactivating a different action, so every request is a successful conditional write.
 */
export async function measureThroughput(world: BenchWorld, { amount = 4000, connections = 8 } = {}) {
  const ids = await seedActions(world, `load-${Date.now()}`, amount + 100);
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-local-'));
  const server = spawn(process.execPath, ['infra/local/start.ts'], {
    cwd: projectRoot,
    // AUTHZ_CACHE_SECONDS: the deployed function's default (npm start's own is 0, no decision cache).
    env: { ...process.env, AUTHZ_CACHE_SECONDS: '30', ...world.functionEnv, PORT: String(port), DATA_DIR: dataDir, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes(`127.0.0.1:${port}`)) resolve();
      });
      server.once('exit', (code) => reject(new Error(`local server exited with ${code}: ${out}`)));
    });
    // The server's handler logs a line per request; keep reading so its pipe never fills.
    server.stdout.resume();

    let next = 0;
    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections,
      amount,
      timeout: 10,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${world.token}`,
      },
      requests: [
        {
          method: 'POST',
          body: '{}',
          setupRequest: (req: object) => ({ ...req, path: `/management/v1/actions/${ids[next++]}/_deactivate` }),
        },
      ],
    });
    return {
      amount,
      connections,
      requestsPerSecond: result.requests.average as number,
      p50Ms: result.latency.p50 as number,
      p99Ms: result.latency.p99 as number,
      non2xx: result.non2xx as number,
      errors: result.errors as number,
    };
  } finally {
    server.kill('SIGINT');
    await new Promise((resolve) => server.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}
