/**
 * `npm start` as a newcomer runs it, for tests that drive the local server from outside: the real
 * npm in its own process group (Ctrl+C is SIGINT to the group), the caller's shell settings that
 * would switch it away from its embedded defaults removed, and `npm run …` of the CLIs beside it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.ts';

export const REPO = resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);

/** Settings of the caller's shell that would switch the server away from its embedded defaults. */
const FOREIGN = [
  'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL', 'ZITADEL_ISSUER', 'ZITADEL_AUDIENCE', 'ZITADEL_JWKS_URI', 'ACTIONS_TABLE', 'ROLE_PERMISSIONS',
  'AUTHZ_MODE', 'AUTHZ_CACHE_SECONDS', 'ZITADEL_PROJECT_ID', 'ZITADEL_API_URL', 'LOCAL_DYNAMODB', 'DATA_DIR', 'PORT',
];
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of FOREIGN) delete env[name];
  return { ...env, ...extra };
}

export interface LocalServer {
  readonly url: string;
  readonly dataDir: string;
  readonly output: () => string;
  /** `npm run <args>` with this server's data folder; stdout, stderr and the exit code. */
  readonly npmRun: (args: string[], env?: Record<string, string>) => Promise<{ code: number; stdout: string; stderr: string }>;
  /** Ctrl+C, then the exit; SIGKILL after 10 s as a safety net. */
  readonly stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `npm start` on a free port and a new data folder; resolves once it says how to stop it. */
export async function startNpmStart(env: Record<string, string> = {}, timeoutMs = 30_000): Promise<LocalServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
  const child: ChildProcess = spawn('npm', ['start'], {
    cwd: REPO,
    env: cleanEnv({ PORT: String(port), DATA_DIR: dataDir, ...env }),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(-child.pid, 'SIGINT');
      const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), 10_000);
      const result = await exited;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
      return result;
    }
    rmSync(dataDir, { recursive: true, force: true });
    return exited;
  };
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => void stop().then(() => fail(new Error(`npm start did not come up within ${timeoutMs} ms:\n${output}`))), timeoutMs);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (/^Stop with Ctrl\+C\.$/m.test(output)) {
        clearTimeout(timer);
        done();
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error(`npm start exited:\n${output}`));
    });
  });
  const npmRun = async (args: string[], extra: Record<string, string> = {}) => {
    try {
      const { stdout, stderr } = await run('npm', ['run', ...args], { cwd: REPO, env: cleanEnv({ DATA_DIR: dataDir, ...extra }) });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const failed = err as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };
  return { url: `http://127.0.0.1:${port}`, dataDir, output: () => output, npmRun, stop };
}
