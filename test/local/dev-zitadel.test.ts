/**
 * The dev ZITADEL over real HTTP: its key set verified by aws-jwt-verify (the function's own
 * verifier), the Auth API's answers and errors byte for byte as ZITADEL's gateway renders them,
 * memberships evaluated through ZITADEL's default role mappings, revocation, and the state file
 * shared between processes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { JwtVerifier } from 'aws-jwt-verify';
import {
  createDevZitadel,
  DEV_CLIENT_ID,
  DEV_PROJECT_ID,
  MEMBERSHIPS_PATH,
  PERMISSIONS_PATH,
  startDevZitadel,
  stateFilePath,
  USERS_ME_PATH,
  ZITADEL_PROJECT_ID,
} from '../../infra/local/dev-zitadel/index.ts';
import { DEV_INSTANCE_ID } from '../../infra/local/dev-zitadel/auth-api.ts';
import { orgOwnerToken } from '../../infra/local/dev-zitadel/org-owner-token.ts';
import { ROLE_PERMISSIONS } from '../../infra/local/dev-zitadel/role-permissions.ts';

const ORG_A = '310000000000000001';
const ORG_B = '310000000000000002';
const ORG_UNKNOWN = '319999999999999999';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

const TOKEN_INVALID = {
  code: 16,
  message: 'Errors.Token.Invalid (AUTH-7fs1e)',
  details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: 'AUTH-7fs1e', message: 'Errors.Token.Invalid' }],
};
const ORG_NOT_FOUND = {
  code: 7,
  message: "Organisation doesn't exist (AUTH-Bs7Ds)",
  details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: 'AUTH-Bs7Ds', message: "Organisation doesn't exist" }],
};

type Zitadel = Awaited<ReturnType<typeof startDevZitadel>>;

async function call(base: string, path: string, init: { method?: string; token?: string; authorization?: string; org?: string; body?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.authorization !== undefined) headers.authorization = init.authorization;
  else if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.org !== undefined) headers['x-zitadel-orgid'] = init.org;
  const method = init.method ?? (path === PERMISSIONS_PATH || path === MEMBERSHIPS_PATH ? 'POST' : 'GET');
  const body = method === 'GET' ? undefined : (init.body ?? '{}');
  const response = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), text, body: JSON.parse(text) };
}

/** aws-jwt-verify fetches only over https: the key set is fetched here over HTTP and handed to it. */
async function verifierFor(z: Zitadel) {
  const verifier = JwtVerifier.create({ issuer: z.url, audience: DEV_PROJECT_ID, jwksUri: `${z.url}/oauth/v2/keys` });
  verifier.cacheJwks((await call(z.url, '/oauth/v2/keys')).body);
  return verifier;
}

const permissionsOf = (z: Zitadel, token: string, org?: string) => call(z.url, PERMISSIONS_PATH, { token, ...(org === undefined ? {} : { org }) });

describe('dev ZITADEL over HTTP', () => {
  let z: Zitadel;
  before(async () => {
    z = await startDevZitadel();
    z.addOrganization(ORG_A, 'Acme');
    z.addOrganization(ORG_B, 'Other');
    z.addUser({ id: 'owner-a', orgId: ORG_A, userName: 'alice' });
    z.addUser({ id: 'viewer-a', orgId: ORG_A });
    z.addUser({ id: 'iam-owner', orgId: ORG_B });
    z.addUser({ id: 'nobody', orgId: ORG_A });
    z.addUser({ id: 'svc', orgId: ORG_A, userName: 'deployer', machine: true });
    z.addMembership('owner-a', { role: 'ORG_OWNER', orgId: ORG_A });
    z.addMembership('viewer-a', { role: 'ORG_OWNER_VIEWER', orgId: ORG_A });
    z.addMembership('iam-owner', { role: 'IAM_OWNER' });
    z.addMembership('svc', { role: 'ORG_USER_MANAGER', orgId: ORG_A });
    z.addMembership('svc', { role: 'ORG_OWNER', orgId: ORG_A });
  });
  after(() => z.close());

  test('key set and discovery document; its JWT access tokens pass aws-jwt-verify and carry ZITADEL\'s claims only', async () => {
    const discovery = await call(z.url, '/.well-known/openid-configuration');
    assert.equal(discovery.status, 200);
    assert.equal(discovery.body.issuer, z.url);
    assert.equal(discovery.body.jwks_uri, `${z.url}/oauth/v2/keys`);

    const token = z.issueJwt('owner-a');
    const verifier = await verifierFor(z);
    const payload = await verifier.verify(token);
    assert.deepEqual(Object.keys(payload).sort(), ['aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'nbf', 'sub']);
    assert.deepEqual(payload.aud, [DEV_PROJECT_ID, ZITADEL_PROJECT_ID, DEV_CLIENT_ID]);
    assert.equal(payload.sub, 'owner-a');
    assert.equal(payload.client_id, DEV_CLIENT_ID);
    assert.equal(Number(payload.exp) - Number(payload.iat), 3600);
    assert.equal(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()).alg, 'ES256');
    assert.ok(z.stats.jwks >= 1);
  });

  test('claims mode: project roles in both of ZITADEL\'s roles claims, the organisation claims when asked', () => {
    const token = z.issueJwt('owner-a', { roles: { ORG_OWNER: [ORG_A] }, withOrgClaim: true });
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    const roles = { ORG_OWNER: { [ORG_A]: 'acme.localhost' } };
    assert.deepEqual(payload['urn:zitadel:iam:org:project:roles'], roles);
    assert.deepEqual(payload[`urn:zitadel:iam:org:project:${DEV_PROJECT_ID}:roles`], roles);
    assert.equal(payload['urn:zitadel:iam:user:resourceowner:id'], ORG_A);
    assert.equal(payload['urn:zitadel:iam:user:resourceowner:name'], 'Acme');
    assert.equal(payload['urn:zitadel:iam:user:resourceowner:primary_domain'], 'acme.localhost');
  });

  test('users/me: GetMyUserResponse of a human as protojson renders it', async () => {
    const me = await call(z.url, USERS_ME_PATH, { token: z.createPat('owner-a') });
    assert.equal(me.status, 200);
    assert.equal(me.contentType, 'application/json');
    const { details, ...user } = me.body.user;
    assert.deepEqual(Object.keys(me.body), ['user']);
    assert.deepEqual(user, {
      id: 'owner-a',
      state: 'USER_STATE_ACTIVE',
      userName: 'alice',
      loginNames: ['alice@acme.localhost'],
      preferredLoginName: 'alice@acme.localhost',
      human: {
        profile: { firstName: 'Dev', lastName: 'alice', displayName: 'Dev alice', preferredLanguage: 'en' },
        email: { email: 'alice@acme.localhost', isEmailVerified: true },
        phone: {},
      },
    });
    assert.equal(details.sequence, '1', 'uint64 as a JSON string');
    assert.equal(details.resourceOwner, ORG_A);
    assert.match(details.creationDate, ISO);
    assert.match(details.changeDate, ISO);
  });

  test('users/me of a machine user: machine instead of human, the BEARER token type (enum 0) left out', async () => {
    const me = await call(z.url, USERS_ME_PATH, { token: z.issueOpaque('svc') });
    assert.equal(me.status, 200);
    assert.deepEqual(me.body.user.machine, { name: 'deployer' });
    assert.equal(me.body.user.human, undefined);
  });

  test('permissions: ORG_OWNER in the user\'s own organisation is ZITADEL\'s ORG_OWNER list, org.action.write in it', async () => {
    const answer = await permissionsOf(z, z.createPat('owner-a'));
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { result: ROLE_PERMISSIONS.ORG_OWNER });
    assert.ok((answer.body.result as string[]).includes('org.action.write'));
  });

  test('permissions: x-zitadel-orgid names the organisation; no membership there is {} (protojson drops the empty list)', async () => {
    const token = z.createPat('owner-a');
    const there = await permissionsOf(z, token, ORG_B);
    assert.equal(there.status, 200);
    assert.equal(there.text, '{}');
    assert.equal((await permissionsOf(z, z.createPat('nobody'))).text, '{}');
  });

  test('permissions: an instance membership (IAM_OWNER) counts in every organisation', async () => {
    const token = z.createPat('iam-owner');
    for (const org of [ORG_A, ORG_B]) {
      const answer = await permissionsOf(z, token, org);
      assert.deepEqual(answer.body, { result: ROLE_PERMISSIONS.IAM_OWNER });
    }
  });

  test('permissions: a viewer has org.action.read but not write; two roles are merged, each permission once', async () => {
    const viewer = await permissionsOf(z, z.createPat('viewer-a'));
    assert.deepEqual(viewer.body, { result: ROLE_PERMISSIONS.ORG_OWNER_VIEWER });
    const viewerPermissions = viewer.body.result as string[];
    assert.ok(viewerPermissions.includes('org.action.read'));
    assert.ok(!viewerPermissions.includes('org.action.write'));

    const both = (await permissionsOf(z, z.createPat('svc'))).body.result as string[];
    assert.equal(new Set(both).size, both.length);
    assert.deepEqual(new Set(both), new Set([...(ROLE_PERMISSIONS.ORG_USER_MANAGER ?? []), ...(ROLE_PERMISSIONS.ORG_OWNER ?? [])]));
  });

  test('memberships/me/_search: every membership of the user (ListMyMemberships), orgId or iam, roles, resource owner', async () => {
    const svc = await call(z.url, MEMBERSHIPS_PATH, { token: z.createPat('svc') });
    assert.equal(svc.status, 200);
    assert.equal(svc.body.details.totalResult, '1');
    assert.match(svc.body.details.viewTimestamp, ISO);
    assert.deepEqual(svc.body.result, [
      { userId: 'svc', details: { resourceOwner: ORG_A }, roles: ['ORG_USER_MANAGER', 'ORG_OWNER'], displayName: 'deployer', orgId: ORG_A },
    ]);
    const admin = await call(z.url, MEMBERSHIPS_PATH, { token: z.createPat('iam-owner') });
    assert.deepEqual(admin.body.result, [
      { userId: 'iam-owner', details: { resourceOwner: DEV_INSTANCE_ID }, roles: ['IAM_OWNER'], displayName: 'Dev user-iam-owner', iam: true },
    ]);
  });

  test('memberships/me/_search ignores x-zitadel-orgid (the query filters by user and instance); none is no result list', async () => {
    const token = z.createPat('owner-a');
    const own = await call(z.url, MEMBERSHIPS_PATH, { token });
    const elsewhere = await call(z.url, MEMBERSHIPS_PATH, { token, org: ORG_B });
    assert.deepEqual(elsewhere.body.result, own.body.result);
    const none = await call(z.url, MEMBERSHIPS_PATH, { token: z.createPat('nobody') });
    assert.equal(none.status, 200);
    assert.deepEqual(Object.keys(none.body), ['details']);
    assert.equal(none.body.details.totalResult, undefined, 'a zero uint64 is left out');
  });

  test('an organisation that does not exist: 403 AUTH-Bs7Ds on every route', async () => {
    const token = z.createPat('owner-a');
    for (const path of [PERMISSIONS_PATH, USERS_ME_PATH, MEMBERSHIPS_PATH]) {
      const answer = await call(z.url, path, { token, org: ORG_UNKNOWN });
      assert.equal(answer.status, 403);
      assert.equal(answer.contentType, 'application/json');
      assert.deepEqual(answer.body, ORG_NOT_FOUND);
    }
  });

  test('no Authorization header: 401 "auth header missing" without details; not Bearer: invalid auth header', async () => {
    for (const path of [PERMISSIONS_PATH, USERS_ME_PATH]) {
      const missing = await call(z.url, path);
      assert.equal(missing.status, 401);
      assert.equal(missing.text, '{"code":16,"message":"auth header missing"}');
    }
    for (const authorization of ['Basic b3duZXI6c2VjcmV0', 'bearer abc', `Bearer a Bearer b`]) {
      const answer = await call(z.url, USERS_ME_PATH, { authorization });
      assert.equal(answer.status, 401);
      assert.deepEqual(answer.body, {
        code: 16,
        message: 'invalid auth header (AUTH-7fs1e)',
        details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: 'AUTH-7fs1e', message: 'invalid auth header' }],
      });
    }
  });

  test('unknown, expired and foreign tokens: 401 Errors.Token.Invalid', async () => {
    const other = await startDevZitadel();
    try {
      other.addOrganization(ORG_A);
      other.addUser({ id: 'owner-a', orgId: ORG_A });
      const tokens = [
        'not-a-token',
        z.createPat('owner-a').slice(1),
        z.createPat('owner-a', { ttlSeconds: -60 }),
        z.issueJwt('owner-a', { ttlSeconds: -60 }),
        // Signed by another instance's key: not this instance's token.
        other.issueJwt('owner-a'),
        other.createPat('owner-a'),
      ];
      for (const token of tokens) {
        const answer = await permissionsOf(z, token);
        assert.equal(answer.status, 401, token);
        assert.deepEqual(answer.body, TOKEN_INVALID);
      }
    } finally {
      await other.close();
    }
  });

  test('an access token without ZITADEL\'s project in its audience is refused; a PAT has no audience to check', async () => {
    const jwt = z.issueJwt('owner-a', { audience: [DEV_PROJECT_ID, DEV_CLIENT_ID] });
    assert.deepEqual((await permissionsOf(z, jwt)).body, TOKEN_INVALID);
    const opaque = z.issueOpaque('owner-a', { audience: [DEV_PROJECT_ID] });
    assert.deepEqual((await permissionsOf(z, opaque)).body, TOKEN_INVALID);
    assert.equal((await permissionsOf(z, z.issueOpaque('owner-a'))).status, 200);
  });

  test('revocation: the Auth API refuses the token at once; the revoked JWT\'s signature still verifies', async () => {
    const pat = z.createPat('owner-a');
    assert.equal((await permissionsOf(z, pat)).status, 200);
    assert.equal(z.revoke(pat), true);
    assert.deepEqual((await permissionsOf(z, pat)).body, TOKEN_INVALID);
    assert.deepEqual((await call(z.url, USERS_ME_PATH, { token: pat })).body, TOKEN_INVALID);

    const jwt = z.issueJwt('owner-a');
    assert.equal((await permissionsOf(z, jwt)).status, 200);
    assert.equal(z.revoke(jwt), true);
    assert.equal((await permissionsOf(z, jwt)).status, 401);
    const verifier = await verifierFor(z);
    assert.equal((await verifier.verify(jwt)).sub, 'owner-a');

    assert.equal(z.revoke('never-issued'), false);
  });

  test('a removed membership takes its permissions away at once; the last role removed leaves {}', async () => {
    z.addUser({ id: 'temp', orgId: ORG_A });
    z.addMembership('temp', { role: 'ORG_OWNER', orgId: ORG_A });
    z.addMembership('temp', { role: 'ORG_OWNER_VIEWER', orgId: ORG_A });
    const pat = z.createPat('temp');
    z.removeMembership('temp', { role: 'ORG_OWNER', orgId: ORG_A });
    assert.deepEqual((await permissionsOf(z, pat)).body, { result: ROLE_PERMISSIONS.ORG_OWNER_VIEWER });
    z.removeMembership('temp', { role: 'ORG_OWNER_VIEWER', orgId: ORG_A });
    assert.equal((await permissionsOf(z, pat)).text, '{}');
  });

  test('a deactivated user\'s tokens stop working and stay dead after reactivation; no token is issued meanwhile', async () => {
    z.addUser({ id: 'leaver', orgId: ORG_A });
    z.addMembership('leaver', { role: 'ORG_OWNER', orgId: ORG_A });
    const tokens = [z.createPat('leaver'), z.issueJwt('leaver'), z.issueOpaque('leaver')];
    for (const token of tokens) assert.equal((await permissionsOf(z, token)).status, 200);
    z.deactivateUser('leaver');
    for (const token of tokens) assert.deepEqual((await permissionsOf(z, token)).body, TOKEN_INVALID);
    assert.throws(() => z.createPat('leaver'), /deactivated/);
    z.reactivateUser('leaver');
    for (const token of tokens) assert.equal((await permissionsOf(z, token)).status, 401);
    const fresh = z.createPat('leaver');
    const me = await call(z.url, USERS_ME_PATH, { token: fresh });
    assert.equal(me.body.user.state, 'USER_STATE_ACTIVE');
    assert.equal(me.body.user.details.sequence, '3', 'created, deactivated, reactivated');
  });

  test('orgOwnerToken (printed curl lines): a PAT of a user already ORG_OWNER there, or its claims-mode JWT; never a new membership, user or organisation', async () => {
    const org = '310000000000000077';
    assert.equal(orgOwnerToken(z, org, { mode: 'zitadel', ttlSeconds: 600 }), undefined, 'an unknown organisation: no token');
    assert.equal(z.hasOrganization(org), false, 'and the organisation is not created');
    z.addOrganization(org);
    z.addUser({ id: '310000000000000078', orgId: org });
    z.addMembership('310000000000000078', { role: 'ORG_OWNER_VIEWER', orgId: org });
    assert.equal(orgOwnerToken(z, org, { mode: 'zitadel', ttlSeconds: 600 }), undefined, 'a viewer is not made ORG_OWNER');
    assert.deepEqual(z.rolesIn('310000000000000078', org), ['ORG_OWNER_VIEWER']);
    z.addUser({ id: '310000000000000079', orgId: org });
    z.addMembership('310000000000000079', { role: 'ORG_OWNER', orgId: org });

    const pat = orgOwnerToken(z, org, { mode: 'zitadel', ttlSeconds: 600 }) ?? '';
    assert.ok(pat !== '' && !pat.includes('.'));
    const me = await call(z.url, USERS_ME_PATH, { token: pat });
    assert.equal(me.body.user.id, '310000000000000079', 'the owner, not the first user');
    assert.deepEqual((await permissionsOf(z, pat)).body, { result: ROLE_PERMISSIONS.ORG_OWNER });
    assert.deepEqual(z.rolesIn('310000000000000078', org), ['ORG_OWNER_VIEWER'], 'nothing granted on the way');

    const jwt = orgOwnerToken(z, org, { mode: 'claims', ttlSeconds: 600 }) ?? '';
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString());
    assert.equal(claims.sub, '310000000000000078', 'claims mode: the organisation\'s first user, roles in the token only');
    assert.deepEqual(Object.keys(claims['urn:zitadel:iam:org:project:roles'].ORG_OWNER), [org]);
    assert.equal(claims.exp - claims.iat, 600);
    assert.deepEqual(z.rolesIn('310000000000000078', org), ['ORG_OWNER_VIEWER']);
  });

  test('opaque tokens and PATs look like ZITADEL\'s: base64url, no dots, not a JWT', () => {
    for (const token of [z.createPat('owner-a'), z.issueOpaque('owner-a')]) {
      assert.match(token, /^[A-Za-z0-9_-]{40,}$/);
      assert.ok(!token.includes('.'));
    }
  });

  test('wrong method: 405 code 12; unknown path: 404 code 5, both JSON', async () => {
    const wrong = await call(z.url, PERMISSIONS_PATH, { method: 'GET', token: z.createPat('owner-a') });
    assert.equal(wrong.status, 405);
    assert.deepEqual(wrong.body, { code: 12, message: 'Method Not Allowed' });
    const unknown = await call(z.url, '/auth/v1/users/me/email');
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { code: 5, message: 'Not Found' });
  });

  test('stats count the requests per route, refused ones too', async () => {
    const before = { ...z.stats };
    await call(z.url, USERS_ME_PATH);
    await permissionsOf(z, z.createPat('owner-a'));
    await permissionsOf(z, 'unknown');
    await call(z.url, '/oauth/v2/keys');
    assert.deepEqual(z.stats, { ...before, usersMe: before.usersMe + 1, permissions: before.permissions + 2, jwks: before.jwks + 1 });
  });

  test('hostile input: unknown tokens add nothing to the state; a large _search body is not read', async () => {
    const pat = z.createPat('owner-a');
    for (let i = 0; i < 200; i++) await permissionsOf(z, `forged-${i}`);
    const big = await call(z.url, PERMISSIONS_PATH, { token: pat, body: 'x'.repeat(4 * 1024 * 1024) });
    assert.equal(big.status, 200);
    assert.ok(big.body.result.includes('org.action.write'));
    // The only token records are those issued above: revoking a forged one finds nothing.
    assert.equal(z.revoke('forged-1'), false);
  });
});

describe('dev ZITADEL state in the data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dev-zitadel-test-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('another process\'s instance (the token CLI) adds memberships and PATs the server sees; the file is owner-only and holds no token', async () => {
    const server = createServer((req, res) => {
      void serving.handle(req, res).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const serving = createDevZitadel({ issuer: url, dataDir });
    try {
      serving.addOrganization(ORG_A, 'Acme');
      serving.addUser({ id: 'u1', orgId: ORG_A });

      // What the CLI does: its own instance on the same data folder.
      const cli = createDevZitadel({ issuer: url, dataDir });
      const pat = cli.createPat('u1');
      assert.equal((await call(url, PERMISSIONS_PATH, { token: pat })).text, '{}');
      cli.addMembership('u1', { role: 'ORG_OWNER', orgId: ORG_A });
      assert.deepEqual((await call(url, PERMISSIONS_PATH, { token: pat })).body, { result: ROLE_PERMISSIONS.ORG_OWNER });
      const jwt = cli.issueJwt('u1');
      assert.equal((await call(url, USERS_ME_PATH, { token: jwt })).status, 200, 'same key from the data folder');
      cli.revoke(pat);
      assert.deepEqual((await call(url, PERMISSIONS_PATH, { token: pat })).body, TOKEN_INVALID);

      const file = stateFilePath(dataDir);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(join(dataDir, 'dev-zitadel')).mode & 0o777, 0o700);
      const stored = readFileSync(file, 'utf8');
      assert.ok(!stored.includes(pat) && !stored.includes(jwt), 'only hashes and token ids are stored');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
