/**
 * The first hour with `npm start`, driven from outside as a newcomer does it: the real npm, the CLIs
 * beside the server, bash for the printed lines. Creating an action grants no one anything; a
 * revoked token is refused at the next call; a data folder that cannot be used is one line.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { stateFilePath } from '../../infra/local/dev-zitadel/index.ts';
import { cleanEnv, REPO, startNpmStart, type LocalServer } from '../support/npm-start.ts';

const deactivate = (server: LocalServer, id: string, token: string) =>
  fetch(`${server.url}/management/v1/actions/${id}/_deactivate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as any }));

const membershipsIn = (dataDir: string) => (JSON.parse(readFileSync(stateFilePath(dataDir), 'utf8')) as { memberships: unknown[] }).memberships;

describe('npm start: the first hour', { timeout: 120_000 }, () => {
  let server: LocalServer;
  before(async () => {
    server = await startNpmStart();
  });
  after(async () => {
    await server.stop();
  });

  test('the banner says the decision cache is off; a revoked token is refused at the very next call', async () => {
    assert.match(server.output(), /^ {2}cache: {4}off \(AUTHZ_CACHE_SECONDS unset: 0 locally, 30 when deployed\): every call asks ZITADEL/m);
    const token = (await server.npmRun(['-s', 'token'])).stdout.trim();
    // An allowed caller on an action that does not exist: the decision is made (and would be cached), nothing is written.
    const before = await deactivate(server, '310000000000000999', token);
    assert.equal(before.status, 404);
    assert.equal(before.body.details[0].id, 'COMMAND-NRmhu');
    const revoked = await server.npmRun(['-s', 'token', '--', 'revoke', token]);
    assert.equal(revoked.code, 0, revoked.stderr);
    const next = await deactivate(server, '310000000000000999', token);
    assert.equal(next.status, 401);
    assert.equal(next.body.details[0].id, 'AUTH-7fs1e');
  });

  test('actions create grants no one anything: a viewer of the organisation stays refused; the printed lines make an owner when run', async () => {
    const org = '310000000000000500';
    const viewer = await server.npmRun(['-s', 'token', '--', '--org', org, '--role', 'ORG_OWNER_VIEWER', '--ttl', '5m']);
    assert.equal(viewer.code, 0, viewer.stderr);
    const memberships = membershipsIn(server.dataDir);

    const created = await server.npmRun(['-s', 'actions', '--', 'create', '--org', org, '--id', '310000000000000501']);
    assert.equal(created.code, 0, created.stderr);
    assert.deepEqual(membershipsIn(server.dataDir), memberships, 'no membership added or changed');
    const lines = created.stdout.trimEnd().split('\n');
    assert.equal(lines[1], `No user of organisation ${org} may deactivate its actions yet (creating an action grants no one anything).`);
    assert.equal(lines[3], `TOKEN=$(npm run -s token -- --org '${org}' --role ORG_OWNER)`);

    const refused = await deactivate(server, '310000000000000501', viewer.stdout.trim());
    assert.equal(refused.status, 403);
    assert.equal(refused.body.details[0].id, 'AUTH-5mWD2');
    const listed = JSON.parse((await server.npmRun(['-s', 'actions', '--', 'list', '--org', org, '--json'])).stdout) as { id: string; state: string }[];
    assert.deepEqual(listed.map((a) => [a.id, a.state]), [['310000000000000501', 'ACTIVE']]);

    // The two printed lines, pasted into bash: the explicit grant, then the call.
    const { stdout } = await promisify(execFile)('bash', ['-c', `set -e; ${lines[3]}\n${lines[4]} --silent --show-error`], {
      cwd: REPO,
      env: cleanEnv({ DATA_DIR: server.dataDir }),
    });
    assert.equal((JSON.parse(stdout) as { details: { resourceOwner: string } }).details.resourceOwner, org);
    assert.equal(membershipsIn(server.dataDir).length, memberships.length, 'the token CLI added ORG_OWNER to the existing membership');
  });
});

describe('npm start: a DATA_DIR that cannot be used is one line naming it, exit 1, never a hang', { timeout: 60_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'data-dir-test-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const file = join(root, 'a-file');
  writeFileSync(file, 'not a folder\n');

  /** The server's own process (npm adds its own lines on a failure); SIGKILL after 20 s only as a safety net. */
  const start = (dataDir: string) =>
    new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
      execFile(join(REPO, 'node_modules/.bin/node'), ['infra/local/start.ts'], { cwd: REPO, env: cleanEnv({ DATA_DIR: dataDir, PORT: '0' }), timeout: 20_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) =>
        resolve({ code: (err as { code?: number } | null)?.code ?? 0, signal: (err as { signal?: string } | null)?.signal ?? null, stdout, stderr }),
      );
    });

  const cases: [string, string, RegExp][] = [
    ['a file', file, /: .*a-file is a file, not a folder\./],
    ['below a file', join(file, 'data'), /: .*a-file is a file, not a folder\./],
    ['an unwritable folder (sysfs: refused even to root)', '/sys/kernel', /: \/sys\/kernel is not writable: permission denied \(EACCES\)\./],
    ['a folder that cannot be created there', '/sys/kernel/deactivate-action-data', /: cannot create \/sys\/kernel\/deactivate-action-data: operation not permitted \(EPERM\)\./],
    ['/proc/nonexistent/x (where Node\'s recursive mkdirSync loops)', '/proc/nonexistent/x', /: cannot create \/proc\/nonexistent: no such file or folder/],
  ];
  for (const [name, dataDir, reason] of cases) {
    test(name, async () => {
      const result = await start(dataDir);
      assert.equal(result.signal, null, 'it ended on its own');
      assert.equal(result.code, 1);
      assert.equal(result.stdout, '');
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.ok(lines[0]?.startsWith(`Cannot use DATA_DIR=${dataDir} as the data folder: `), lines[0]);
      assert.match(lines[0] ?? '', reason);
      assert.match(lines[0] ?? '', /Set DATA_DIR to a folder you can write to\.$/);
    });
  }
});
