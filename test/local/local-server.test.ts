/**
 * `npm start` end to end, as a newcomer runs it: the real npm, the printed curl line run by the
 * real curl, Ctrl+C (SIGINT to the process group), a restart on the same data folder.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { DEMO_USER_ID } from '../../infra/local/dev-zitadel/demo.ts';
import { stateFilePath } from '../../infra/local/dev-zitadel/index.ts';
import { DEMO_ORG_ID } from '../../infra/local/seed.ts';
import { freePort } from '../support/ports.ts';

const REPO = resolve(import.meta.dirname, '..', '..');
const CURL = '/usr/bin/curl';
const STARTUP_TIMEOUT_MS = 15_000;
const run = promisify(execFile);

/** Settings of the caller's shell that would switch the server away from its embedded defaults. */
const FOREIGN = [
  'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL', 'ZITADEL_ISSUER', 'ZITADEL_AUDIENCE', 'ZITADEL_JWKS_URI', 'ACTIONS_TABLE', 'ROLE_PERMISSIONS',
  'AUTHZ_MODE', 'AUTHZ_CACHE_SECONDS', 'ZITADEL_PROJECT_ID', 'ZITADEL_API_URL',
];
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of FOREIGN) delete env[name];
  return { ...env, ...extra };
}

const started = new Set<ChildProcess>();
const folders: string[] = [];
after(() => {
  // Whatever happened above, no server outlives the test run.
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'local-server-test-'));
  folders.push(folder);
  return folder;
}


interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first output line matching `pattern`; fails after the timeout. */
  readonly waitForLine: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
}

/** `npm start` in its own process group, as a terminal runs it (so Ctrl+C is SIGINT to the group). */
function npmStart(env: Record<string, string>): Started {
  const child = spawn('npm', ['start'], { cwd: REPO, env: childEnv(env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => {
      for (const listener of listeners) listener();
      done({ code, signal });
    });
  });

  const waitForLine = (pattern: RegExp, timeoutMs = STARTUP_TIMEOUT_MS) =>
    new Promise<string>((resolveLine, reject) => {
      const check = () => {
        const line = output.split('\n').find((l) => pattern.test(l));
        if (line !== undefined) {
          finish();
          resolveLine(line);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          finish();
          reject(new Error(`npm start exited before printing ${pattern}:\n${output}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });

  return { child, output: () => output, exited, waitForLine };
}

/** Ctrl+C: SIGINT to npm and the server; both must finish cleanly. */
async function stopWithCtrlC(server: Started): Promise<void> {
  assert.ok(server.child.pid);
  process.kill(-server.child.pid, 'SIGINT');
  const timeout = new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), 10_000).unref());
  const result = await Promise.race([server.exited, timeout]);
  assert.notEqual(result, 'timeout', `the server did not stop:\n${server.output()}`);
  assert.deepEqual(result, { code: 0, signal: null }, server.output());
  assert.match(server.output(), /^Stopped\.$/m);
}

/** Runs a printed curl line as a user pastes it into bash, with the real curl; status and JSON body. */
async function runCurlLine(line: string): Promise<{ status: number; body: any }> {
  assert.match(line, /^curl -L -X POST '[^']+' -H 'Content-Type: application\/json' -H 'Accept: application\/json' -H 'Authorization: Bearer [\w.-]+' --data-raw '\{\}'$/);
  const { stdout } = await run('bash', ['-c', `${line.replace(/^curl /, `${CURL} `)} --silent --show-error --write-out '\\n%{http_code}'`]);
  const at = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(at + 1)), body: JSON.parse(stdout.slice(0, at)) };
}

async function npmRun(args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await run('npm', ['run', ...args], { cwd: REPO, env: childEnv(env) });
  return stdout;
}

const CURL_LINE = /^curl -L -X POST /;
const actionIdOf = (line: string) => /\/actions\/([^/]+)\/_deactivate/.exec(line)?.[1] ?? '';
const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

describe('npm start: the API on loopback', { timeout: 60_000 }, () => {
  const dataDir = tempFolder();
  let port: number;
  let firstCurl: string;

  test('prints a curl line that deactivates a seeded action, once', async () => {
    port = await freePort();
    const server = npmStart({ PORT: String(port), DATA_DIR: dataDir });
    try {
      firstCurl = await server.waitForLine(CURL_LINE);
      await server.waitForLine(/^Stop with Ctrl\+C\.$/);
      assert.match(server.output(), new RegExp(`demo organisation ${DEMO_ORG_ID} with 3 ACTIVE actions`));
      assert.ok(firstCurl.includes(`'http://127.0.0.1:${port}/management/v1/actions/`), firstCurl);

      const first = await runCurlLine(firstCurl);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      const { details } = first.body;
      // ZITADEL's details: creationDate is this change's date; changeDate is unset and left out.
      assert.deepEqual(Object.keys(details).sort(), ['creationDate', 'resourceOwner', 'sequence']);
      assert.equal(details.resourceOwner, DEMO_ORG_ID);
      assert.equal(details.sequence, '3', 'seeded at sequence 2, one more for the deactivation');
      assert.match(details.creationDate, ISO_DATE);
      assert.ok(Date.now() - Date.parse(details.creationDate) < 60_000, 'the time of this change, not the seeded creation');

      const again = await runCurlLine(firstCurl);
      assert.equal(again.status, 400);
      assert.equal(again.body.code, 9);
      assert.equal(again.body.message, 'Action is not active (COMMAND-Dgj92)');
      assert.equal(again.body.details[0].id, 'COMMAND-Dgj92');
    } finally {
      await stopWithCtrlC(server);
    }
  });

  test('a restart on the same data folder keeps the state and does not reseed', async () => {
    const server = npmStart({ PORT: String(port), DATA_DIR: dataDir });
    try {
      const curl = await server.waitForLine(CURL_LINE);
      await server.waitForLine(/^Stop with Ctrl\+C\.$/);
      assert.match(server.output(), /the table already has data; not seeded/);
      assert.notEqual(actionIdOf(curl), actionIdOf(firstCurl), 'the printed curl names an action still ACTIVE');

      const replay = await runCurlLine(firstCurl);
      assert.equal(replay.status, 400, 'the deactivation survived the restart');
      assert.equal(replay.body.code, 9);
      assert.equal(replay.body.details[0].id, 'COMMAND-Dgj92');

      const listed = JSON.parse(await npmRun(['--silent', 'actions', '--', 'list', '--org', DEMO_ORG_ID, '--json'], { DATA_DIR: dataDir }));
      assert.equal(listed.length, 3, 'no second seed');
      assert.deepEqual(
        listed.filter((a: { state: string }) => a.state === 'INACTIVE').map((a: { id: string }) => a.id),
        [actionIdOf(firstCurl)],
      );
    } finally {
      await stopWithCtrlC(server);
    }
  });

  test('npm run token mints tokens the server accepts; actions added by npm run actions can be deactivated', async () => {
    const server = npmStart({ PORT: String(port), DATA_DIR: dataDir });
    try {
      await server.waitForLine(/^Stop with Ctrl\+C\.$/);
      const org = '310000000000000042';
      const created = await npmRun(['actions', '--', 'create', '--org', org, '--id', '310000000000000777', '--name', 'myAction'], { DATA_DIR: dataDir });
      assert.match(created, /Created action 310000000000000777 \("myAction"\) in organisation 310000000000000042, ACTIVE/);

      const token = (await npmRun(['--silent', 'token', '--', '--org', org, '--role', 'ORG_OWNER', '--ttl', '5m'], { DATA_DIR: dataDir })).trim();
      assert.match(token, /^[\w-]+(\.[\w-]+\.[\w-]+)?$/, 'npm run -s token prints the token (a JWT or an opaque PAT) and nothing else');

      const url = `http://127.0.0.1:${port}/management/v1/actions/310000000000000777/_deactivate`;
      const call = (authorization: string) =>
        fetch(url, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: '{}' });
      const ok = await call(`Bearer ${token}`);
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as { details: { resourceOwner: string } }).details.resourceOwner, org);

      const other = await npmRun(['--silent', 'token', '--', '--org', '999', '--role', 'ORG_OWNER'], { DATA_DIR: dataDir });
      const denied = await call(`Bearer ${other.trim()}`);
      assert.equal(denied.status, 404, 'an action of another organisation is not found');

      const unknown = await fetch(`http://127.0.0.1:${port}/management/v1/actions`, { method: 'GET' });
      assert.equal(unknown.status, 404);
      assert.deepEqual(await unknown.json(), { message: 'Not Found' });
      const wrongMethod = await fetch(url, { method: 'GET' });
      assert.equal(wrongMethod.status, 404);
    } finally {
      await stopWithCtrlC(server);
    }
  });

  test('a taken port: exit code 1 and one clear line', async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const taken = (blocker.address() as AddressInfo).port;
    try {
      const server = npmStart({ PORT: String(taken), DATA_DIR: tempFolder() });
      const result = await server.exited;
      assert.equal(result.code, 1, server.output());
      assert.match(server.output(), new RegExp(`^Port ${taken} on 127\\.0\\.0\\.1 is already in use\\. `, 'm'));
    } finally {
      await new Promise<void>((done) => blocker.close(() => done()));
    }
  });
});

/** Every folder and file under `root` with its permission bits (symbolic links skipped). */
function modesUnder(root: string): { path: string; dir: boolean; mode: number }[] {
  const found: { path: string; dir: boolean; mode: number }[] = [];
  const walk = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    found.push({ path, dir: stat.isDirectory(), mode: stat.mode & 0o777 });
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  walk(root);
  return found;
}

describe('npm start: security finding 7 (owner-only data folder, short-lived banner token)', { timeout: 60_000 }, () => {
  test('after a real start the data folder and every file in it are owner-only, older world-readable files included; the banner prints a 1-hour PAT the dev ZITADEL answers', async () => {
    const dataDir = join(tempFolder(), 'data');
    // A data folder as an earlier version left it: world-readable.
    mkdirSync(join(dataDir, 'dynamodb'), { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'local-server.json'), '{}\n', { mode: 0o644 });
    writeFileSync(join(dataDir, 'dynamodb', 'left-over.log'), 'old\n', { mode: 0o644 });

    const port = await freePort();
    const server = npmStart({ PORT: String(port), DATA_DIR: dataDir });
    try {
      const curl = await server.waitForLine(CURL_LINE);
      await server.waitForLine(/^Stop with Ctrl\+C\.$/);

      const modes = modesUnder(dataDir);
      assert.ok(modes.some((m) => m.path.endsWith('.ldb') || m.path.endsWith('.log')), 'dynalite wrote its files');
      for (const entry of modes) {
        if (entry.dir) assert.equal(entry.mode, 0o700, `${entry.path} is ${entry.mode.toString(8)}`);
        else assert.equal(entry.mode & 0o077, 0, `${entry.path} is ${entry.mode.toString(8)}`);
      }

      // The banner: a PAT (opaque, no dots) said to be valid 1h, stored to expire within the hour.
      assert.match(server.output(), /token: a PAT of user 300000000000000200, ORG_OWNER there, valid 1h/);
      const pat = /Bearer ([\w-]+)'/.exec(curl)?.[1] ?? '';
      assert.match(pat, /^[\w-]{40,}$/);
      const state = JSON.parse(readFileSync(stateFilePath(dataDir), 'utf8')) as { tokens: Record<string, { type: string; expiresAt: number }> };
      assert.ok(!JSON.stringify(state).includes(pat), 'the state file holds no token');
      const pats = Object.values(state.tokens).filter((t) => t.type === 'pat');
      assert.equal(pats.length, 1);
      assert.ok((pats[0]?.expiresAt ?? Infinity) <= Date.now() + 3600_000, 'expires within the hour');

      const me = await fetch(`http://127.0.0.1:${port}/auth/v1/users/me`, { headers: { authorization: `Bearer ${pat}` } });
      assert.equal(me.status, 200);
      const body = (await me.json()) as { user: { id: string; details: { resourceOwner: string } } };
      assert.equal(body.user.id, DEMO_USER_ID);
      assert.equal(body.user.details.resourceOwner, DEMO_ORG_ID);
      const permissions = await fetch(`http://127.0.0.1:${port}/auth/v1/permissions/zitadel/me/_search`, {
        method: 'POST',
        headers: { authorization: `Bearer ${pat}` },
        body: '{}',
      });
      assert.ok(((await permissions.json()) as { result: string[] }).result.includes('org.action.write'));

      // Revoked with the token CLI: refused at once by the running server.
      await npmRun(['--silent', 'token', '--', 'revoke', pat], { DATA_DIR: dataDir });
      const revoked = await fetch(`http://127.0.0.1:${port}/auth/v1/users/me`, { headers: { authorization: `Bearer ${pat}` } });
      assert.equal(revoked.status, 401);
    } finally {
      await stopWithCtrlC(server);
    }
  });
});
