/**
 * The token CLI as a separate process, as `npm run -s token` runs it, against a data folder whose
 * dev ZITADEL is served over real HTTP by this test (what `npm start` mounts): the printed tokens,
 * the memberships it adds, revocation, and its refusals.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { DEMO_USER_ID, seedDemoIdentity } from '../../infra/local/dev-zitadel/demo.ts';
import { createDevZitadel, DEV_PROJECT_ID, PERMISSIONS_PATH, USERS_ME_PATH, type DevZitadel } from '../../infra/local/dev-zitadel/index.ts';
import { KNOWN_ROLES, ROLE_PERMISSIONS } from '../../infra/local/dev-zitadel/role-permissions.ts';
import { writeState } from '../../infra/local/local-state.ts';
import { DEMO_ORG_ID } from '../../infra/local/seed.ts';

const REPO = resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);

async function tokenCli(dataDir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['infra/local/token-cli.ts', ...args], { cwd: REPO, env: { ...process.env, DATA_DIR: dataDir } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run token (token-cli.ts)', { timeout: 60_000 }, () => {
  const folders: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'token-cli-test-'));
  folders.push(dataDir);
  let server: Server;
  let url: string;
  let devZitadel: DevZitadel;

  const ask = async (path: string, token: string, org?: string) => {
    const response = await fetch(`${url}${path}`, {
      method: path === PERMISSIONS_PATH ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${token}`, ...(org === undefined ? {} : { 'x-zitadel-orgid': org }) },
      ...(path === PERMISSIONS_PATH ? { body: '{}' } : {}),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  before(async () => {
    server = createServer((req, res) => {
      void devZitadel.handle(req, res).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // What npm start leaves in the data folder: the dev ZITADEL, the demo identity, the state file.
    devZitadel = createDevZitadel({ issuer: url, dataDir, projectId: DEV_PROJECT_ID });
    seedDemoIdentity(devZitadel, DEMO_ORG_ID);
    writeState(dataDir, {
      pid: process.pid, url, issuer: url, devIssuer: true, audience: [DEV_PROJECT_ID], dynamodbEndpoint: '', embeddedDynamoDB: true, table: 'actions', startedAt: new Date().toISOString(),
    });
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  test('default: a PAT of the demo user, printed alone; the running server answers it', async () => {
    const { code, stdout, stderr } = await tokenCli(dataDir, []);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^[\w-]{40,}\n$/);
    const me = await ask(USERS_ME_PATH, stdout.trim());
    assert.equal(me.status, 200);
    assert.equal(me.body.user.id, DEMO_USER_ID);
    assert.deepEqual((await ask(PERMISSIONS_PATH, stdout.trim())).body, { result: ROLE_PERMISSIONS.ORG_OWNER });
  });

  test('--role ORG_OWNER --org: a new organisation, its first user created and made ORG_OWNER; --type jwt and opaque', async () => {
    const org = '320000000000000001';
    const jwt = await tokenCli(dataDir, ['--type', 'jwt', '--org', org, '--role', 'ORG_OWNER', '--ttl', '5m']);
    assert.equal(jwt.code, 0, jwt.stderr);
    const token = jwt.stdout.trim();
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    assert.equal(claims.exp - claims.iat, 300);
    assert.equal(claims['urn:zitadel:iam:org:project:roles'], undefined, 'no roles in a zitadel-mode JWT');
    const me = await ask(USERS_ME_PATH, token);
    assert.equal(me.body.user.details.resourceOwner, org);
    assert.ok((await ask(PERMISSIONS_PATH, token)).body.result.includes('org.action.write'));

    const opaque = await tokenCli(dataDir, ['--type', 'opaque', '--org', org]);
    assert.equal(opaque.code, 0, opaque.stderr);
    assert.ok(!opaque.stdout.includes('.'));
    assert.equal((await ask(USERS_ME_PATH, opaque.stdout.trim())).body.user.id, me.body.user.id, 'the organisation\'s first user again');
  });

  test('--role IAM_OWNER: an instance membership, valid in every organisation; an ORG_USER_MANAGER has no org.action.write', async () => {
    const admin = await tokenCli(dataDir, ['--user', '330000000000000001', '--role', 'IAM_OWNER']);
    assert.equal(admin.code, 0, admin.stderr);
    for (const org of [DEMO_ORG_ID, '320000000000000001']) {
      assert.ok((await ask(PERMISSIONS_PATH, admin.stdout.trim(), org)).body.result.includes('org.action.write'));
    }
    const manager = await tokenCli(dataDir, ['--user', '330000000000000002', '--role', 'ORG_USER_MANAGER']);
    const permissions = (await ask(PERMISSIONS_PATH, manager.stdout.trim())).body.result as string[];
    assert.ok(permissions.includes('user.write'));
    assert.ok(!permissions.includes('org.action.write'));
  });

  test('--type jwt --claims: project roles and the organisation claim, no membership added', async () => {
    const org = '320000000000000009';
    const { code, stdout } = await tokenCli(dataDir, ['--type', 'jwt', '--claims', '--org', org]);
    assert.equal(code, 0);
    const claims = JSON.parse(Buffer.from(stdout.trim().split('.')[1] ?? '', 'base64url').toString());
    assert.deepEqual(Object.keys(claims['urn:zitadel:iam:org:project:roles']), ['ORG_OWNER']);
    assert.deepEqual(claims[`urn:zitadel:iam:org:project:${DEV_PROJECT_ID}:roles`], claims['urn:zitadel:iam:org:project:roles']);
    assert.equal(claims['urn:zitadel:iam:user:resourceowner:id'], org);
    assert.deepEqual((await ask(PERMISSIONS_PATH, stdout.trim())).body, {}, 'claims-mode roles are not manager memberships');
  });

  test('revoke <token>: the running server refuses it at once; an unknown token exits 1', async () => {
    const token = (await tokenCli(dataDir, [])).stdout.trim();
    assert.equal((await ask(USERS_ME_PATH, token)).status, 200);
    const revoked = await tokenCli(dataDir, ['revoke', token]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(revoked.stdout, '');
    const after = await ask(USERS_ME_PATH, token);
    assert.equal(after.status, 401);
    assert.equal(after.body.details[0].id, 'AUTH-7fs1e');

    const unknown = await tokenCli(dataDir, ['revoke', 'never-issued']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Unknown token/);
  });

  test('revoke takes a token starting with "-" as typed (a PAT is base64url: 1 in 64 starts so), with or without "--"', async () => {
    const leadingDash = () => {
      // Minted as the CLI mints them, into the same data folder, until one starts with "-".
      for (let attempt = 0; attempt < 10_000; attempt++) {
        const pat = devZitadel.createPat(DEMO_USER_ID, { ttlSeconds: 300 });
        if (pat.startsWith('-')) return pat;
      }
      throw new Error('no PAT starting with "-" in 10,000');
    };
    for (const args of [(pat: string) => ['revoke', pat], (pat: string) => ['revoke', '--', pat]]) {
      const pat = leadingDash();
      assert.equal((await ask(USERS_ME_PATH, pat)).status, 200);
      const revoked = await tokenCli(dataDir, args(pat));
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.equal(revoked.stderr, 'Revoked.\n');
      const after = await ask(USERS_ME_PATH, pat);
      assert.equal(after.status, 401);
      assert.equal(after.body.details[0].id, 'AUTH-7fs1e');
    }
    const two = await tokenCli(dataDir, ['revoke', '-a', '-b']);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /^revoke takes exactly one token\n/);
  });

  test('an unknown role is refused with the known ones, nothing granted; with --claims it is a note', async () => {
    const user = '330000000000000077';
    const typo = await tokenCli(dataDir, ['--user', user, '--role', 'ORG_OWNR']);
    assert.equal(typo.code, 2);
    assert.equal(typo.stdout, '');
    assert.match(typo.stderr, new RegExp(`^unknown role "ORG_OWNR"; known roles: ${KNOWN_ROLES.join(', ')}\n`));
    assert.equal(devZitadel.userOrg(user), undefined, 'the user was not even created');
    const claims = await tokenCli(dataDir, ['--type', 'jwt', '--claims', '--role', 'DEPLOYER']);
    assert.equal(claims.code, 0, claims.stderr);
    assert.match(claims.stderr, /^Note: DEPLOYER is none of .*: it counts only if the server's ROLE_PERMISSIONS maps it\.\n$/);
    assert.match(claims.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  });

  test('a server in claims mode: a PAT still prints alone on stdout, with a note on stderr; --claims gets no note', async () => {
    writeState(dataDir, {
      pid: process.pid, url, issuer: url, devIssuer: true, audience: [DEV_PROJECT_ID], dynamodbEndpoint: '', embeddedDynamoDB: true, table: 'actions', startedAt: new Date().toISOString(), authzMode: 'claims',
    });
    const pat = await tokenCli(dataDir, []);
    assert.equal(pat.code, 0);
    assert.match(pat.stdout, /^[\w-]{40,}\n$/);
    assert.match(pat.stderr, /AUTHZ_MODE=claims/);
    const jwt = await tokenCli(dataDir, ['--type', 'jwt', '--claims']);
    assert.equal(jwt.stderr, '');
  });

  test('refusals: bad options exit 2 with the usage; no dev ZITADEL in the data folder exits 1; nothing on stdout', async () => {
    for (const args of [['--type', 'saml'], ['--claims'], ['--ttl', 'soon'], ['--org', ''], ['extra']]) {
      const result = await tokenCli(dataDir, args);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /Usage: npm run -s token/);
    }
    const empty = mkdtempSync(join(tmpdir(), 'token-cli-empty-'));
    folders.push(empty);
    const none = await tokenCli(empty, []);
    assert.equal(none.code, 1);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /start the local server once \(npm start\)/);
  });
});
