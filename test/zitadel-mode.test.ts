/**
 * The default mode, `AUTHZ_MODE=zitadel`: ZITADEL decides, asked over real HTTP with the caller's own token
 * (the dev ZITADEL: key set, Auth API, opaque tokens, PATs, memberships, revocation).
 */
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { call, zitadelError, type CallOptions } from './support/api.ts';
import { putAction, tableSnapshot } from './support/dynamodb.ts';
import { generateSigningKey, signJwt } from './support/issuer.ts';
import { freePort } from './support/ports.ts';
import { startZitadelWorld, type ZitadelWorld } from './support/zitadel-world.ts';

const ORG_A = '310000000000000001';
const ORG_B = '310000000000000002';
const OWNER = '320000000000000001'; // ORG_OWNER of A
const VIEWER = '320000000000000002'; // ORG_OWNER_VIEWER of A
const STRANGER = '320000000000000003'; // user of B, ORG_OWNER of B only
const ADMIN = '320000000000000004'; // user of B, IAM_OWNER (instance)

const MEMBERSHIP_NOT_FOUND = zitadelError(5, 'AUTHZ-cdgFk', 'membership not found');
const PERMISSION_DENIED = zitadelError(7, 'AUTH-5mWD2', 'No matching permissions found');
const TOKEN_INVALID = zitadelError(16, 'AUTH-7fs1e', 'Errors.Token.Invalid');
const ORG_UNKNOWN = zitadelError(7, 'AUTH-Bs7Ds', "Organisation doesn't exist");
const ZITADEL_UNAVAILABLE = zitadelError(14, 'AUTHZ-Zunav', 'Errors.Authz.ZitadelUnavailable');
const NOT_FOUND = zitadelError(5, 'COMMAND-NRmhu', 'Action not found');

let world: ZitadelWorld;
let nextAction = 0;
before(async () => {
  world = await startZitadelWorld();
  const z = world.zitadel;
  z.addOrganization(ORG_A, 'a');
  z.addOrganization(ORG_B, 'b');
  z.addUser({ id: OWNER, orgId: ORG_A });
  z.addUser({ id: VIEWER, orgId: ORG_A });
  z.addUser({ id: STRANGER, orgId: ORG_B, machine: true });
  z.addUser({ id: ADMIN, orgId: ORG_B });
  z.addMembership(OWNER, { role: 'ORG_OWNER', orgId: ORG_A });
  z.addMembership(VIEWER, { role: 'ORG_OWNER_VIEWER', orgId: ORG_A });
  z.addMembership(STRANGER, { role: 'ORG_OWNER', orgId: ORG_B });
  z.addMembership(ADMIN, { role: 'IAM_OWNER' });
});
after(() => world.close());

/** A new ACTIVE action of `org`. */
async function newAction(org = ORG_A): Promise<string> {
  const id = `33000000000000${String(++nextAction).padStart(4, '0')}`;
  await putAction(world.dynamo.client, { resourceOwner: org, id, sequence: 1 });
  return id;
}

async function stored(org: string, id: string) {
  const { Item } = await world.dynamo.client.send(
    new GetItemCommand({ TableName: 'actions', Key: { resourceOwner: { S: org }, id: { S: id } }, ConsistentRead: true }),
  );
  return { state: Item?.state?.S, sequence: Item?.sequence?.N, changedBy: Item?.changedBy?.S };
}

/** A rejection: status and body as ZITADEL's, and the table unchanged. */
async function expectRejected(id: string, options: CallOptions, status: number, body: object) {
  const snapshot = await tableSnapshot(world.dynamo.client);
  const res = await call(world.handler, id, options);
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.deepEqual(res.body, body);
  assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot);
}

describe('every token type ZITADEL issues deactivates, when the user is ORG_OWNER', () => {
  const tokens: Array<[string, () => string]> = [
    ['an opaque access token (ZITADEL’s default)', () => world.zitadel.issueOpaque(OWNER)],
    ['a personal access token', () => world.zitadel.createPat(OWNER)],
    ['a JWT access token without any roles or organisation claim', () => world.zitadel.issueJwt(OWNER)],
  ];
  for (const [name, token] of tokens) {
    test(name, async () => {
      const id = await newAction();
      const res = await call(world.handler, id, { token: token() });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.details.resourceOwner, ORG_A);
      assert.equal(res.body.details.sequence, '2');
      assert.deepEqual(await stored(ORG_A, id), { state: 'INACTIVE', sequence: '2', changedBy: OWNER });
    });
  }

  test('x-zitadel-orgid naming the user’s own organisation works as its absence does', async () => {
    const id = await newAction();
    const res = await call(world.handler, id, { token: world.zitadel.createPat(OWNER), orgHeader: ORG_A });
    assert.equal(res.status, 200);
  });

  test('an instance membership (IAM_OWNER) counts in an organisation that is not the user’s', async () => {
    const id = await newAction(ORG_A);
    const res = await call(world.handler, id, { token: world.zitadel.createPat(ADMIN), orgHeader: ORG_A });
    assert.equal(res.status, 200);
    assert.deepEqual(await stored(ORG_A, id), { state: 'INACTIVE', sequence: '2', changedBy: ADMIN });
  });
});

describe('ZITADEL’s decision, as its interceptor makes it', () => {
  test('membership in another organisation only: 404 membership not found (AUTHZ-cdgFk)', async () => {
    const id = await newAction(ORG_A);
    await expectRejected(id, { token: world.zitadel.createPat(STRANGER), orgHeader: ORG_A }, 404, MEMBERSHIP_NOT_FOUND);
  });

  test('a viewer role (org.action.read only): 403 AUTH-5mWD2', async () => {
    const id = await newAction(ORG_A);
    await expectRejected(id, { token: world.zitadel.createPat(VIEWER) }, 403, PERMISSION_DENIED);
  });

  test('an organisation that does not exist: ZITADEL’s 403 AUTH-Bs7Ds passes through', async () => {
    const id = await newAction(ORG_A);
    await expectRejected(id, { token: world.zitadel.createPat(OWNER), orgHeader: '399999999999999999' }, 403, ORG_UNKNOWN);
  });

  test('an unknown opaque token: ZITADEL’s 401 AUTH-7fs1e passes through, with WWW-Authenticate', async () => {
    const id = await newAction(ORG_A);
    const res = await call(world.handler, id, { token: 'dEnGhIFs3VnqcQU5D2zRSeiarB1nwH6goIKY0J8MWZbsnWcTuu1C59lW9DgCq1y096GYdXA' });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, TOKEN_INVALID);
    // grpc-gateway's DefaultHTTPErrorHandler: WWW-Authenticate is the status message of any Unauthenticated answer.
    assert.equal(res.headers['www-authenticate'], 'Errors.Token.Invalid (AUTH-7fs1e)');
  });

  test('another organisation’s action is NotFound to an owner acting in their own organisation', async () => {
    const id = await newAction(ORG_B);
    await expectRejected(id, { token: world.zitadel.createPat(OWNER) }, 404, NOT_FOUND);
  });
});

describe('hostile headers (the independent review’s findings)', () => {
  test('a token with a NUL byte, a space or a non-ASCII character is 401 and never sent to ZITADEL', async () => {
    const id = await newAction();
    const before = world.zitadelRequests();
    for (const authorization of ['Bearer abc\u0000def', 'Bearer abc def', 'Bearer opaque€token']) {
      await expectRejected(id, { authorization }, 401, TOKEN_INVALID);
    }
    assert.equal(world.zitadelRequests(), before);
  });

  test('an x-zitadel-orgid no organisation can have: the token is checked first (unknown token 401), then ZITADEL’s 403 AUTH-Bs7Ds; the header never sent', async () => {
    const id = await newAction();
    for (const orgHeader of [` ${ORG_A}`, 'a€', 'x'.repeat(201), `${ORG_A}\u0001`]) {
      await expectRejected(id, { token: 'unknown-opaque-token', orgHeader }, 401, TOKEN_INVALID);
      await expectRejected(id, { token: world.zitadel.createPat(OWNER), orgHeader }, 403, ORG_UNKNOWN);
      await expectRejected(id, { token: world.zitadel.issueJwt(OWNER), orgHeader }, 403, ORG_UNKNOWN);
    }
    // A valid JWT that ZITADEL knows revoked: the token check comes first there too.
    const revoked = world.zitadel.issueJwt(OWNER);
    world.zitadel.revoke(revoked);
    await expectRejected(id, { token: revoked, orgHeader: 'x'.repeat(201) }, 401, TOKEN_INVALID);
  });

  test('an event without headers is a request without any: a rendered 401 on the JSON route, 415 on gRPC-web, never a TypeError', async () => {
    const { deactivateEvent, lambdaContext } = await import('./support/api.ts');
    const { GRPC_WEB_PATH, GRPC_WEB_ROUTE_KEY } = await import('../functions/http/grpc-web/binding.ts');
    const id = await newAction();
    const json = { ...deactivateEvent(id), headers: undefined } as unknown as ReturnType<typeof deactivateEvent>;
    const jsonRes = await world.handler(json, lambdaContext());
    assert.equal(jsonRes.statusCode, 401);
    assert.deepEqual(JSON.parse(jsonRes.body ?? ''), { code: 16, message: 'auth header missing' });
    const grpcWeb = { ...json, rawPath: GRPC_WEB_PATH, routeKey: GRPC_WEB_ROUTE_KEY };
    const grpcRes = await world.handler(grpcWeb, lambdaContext());
    assert.equal(grpcRes.statusCode, 415);
    assert.equal((await stored(ORG_A, id)).state, 'ACTIVE');
  });
});

describe('JWTs are checked locally first: a bad one never reaches ZITADEL', () => {
  const forgedKey = generateSigningKey('forged', 'ES256');
  const now = () => Math.floor(Date.now() / 1000);
  const cases: Array<[string, () => string]> = [
    ['a forged signature', () => signJwt(forgedKey, { iss: world.zitadel.url, sub: OWNER, exp: now() + 60 })],
    ['a foreign issuer', () => signJwt(forgedKey, { iss: 'https://evil.example.com', sub: OWNER, exp: now() + 60 })],
    ['an expired JWT of the real issuer', () => world.zitadel.issueJwt(OWNER, { ttlSeconds: -120 })],
    ['a forged JWT with a trailing =', () => `${signJwt(forgedKey, { iss: world.zitadel.url, sub: OWNER, exp: now() + 60 })}=`],
    ['a forged JWT with a fourth segment', () => `${signJwt(forgedKey, { iss: world.zitadel.url, sub: OWNER, exp: now() + 60 })}.e30`],
  ];
  for (const [name, token] of cases) {
    test(name, async () => {
      const id = await newAction();
      const before = world.zitadelRequests();
      await expectRejected(id, { token: token() }, 401, TOKEN_INVALID);
      assert.equal(world.zitadelRequests(), before, 'no request to ZITADEL');
    });
  }

  test('no Authorization header never reaches ZITADEL', async () => {
    const id = await newAction();
    const before = world.zitadelRequests();
    // ZITADEL's plain status: the gateway's marshaler leaves the empty details out.
    const res = await call(world.handler, id, {});
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, { code: 16, message: 'auth header missing' });
    assert.equal(res.headers['www-authenticate'], 'auth header missing');
    assert.equal(world.zitadelRequests(), before);
  });
});

describe('memberships, as ZITADEL’s getUserPermissions counts them (ListMyMemberships)', () => {
  const PROJECT_MEMBER = '320000000000000005'; // user of A, a membership in A whose role maps to no permission
  before(() => {
    world.zitadel.addUser({ id: PROJECT_MEMBER, orgId: ORG_A });
    world.zitadel.addMembership(PROJECT_MEMBER, { role: 'PROJECT_OWNER', orgId: ORG_A });
  });

  test('a membership in the organisation whose roles give no permission at all: 403 No matching permissions found, not 404', async () => {
    const id = await newAction(ORG_A);
    await expectRejected(id, { token: world.zitadel.createPat(PROJECT_MEMBER) }, 403, PERMISSION_DENIED);
  });

  test('no membership in the organisation nor on the instance: 404 membership not found', async () => {
    const id = await newAction(ORG_A);
    await expectRejected(id, { token: world.zitadel.createPat(STRANGER), orgHeader: ORG_A }, 404, MEMBERSHIP_NOT_FOUND);
  });

  test('x-zitadel-orgid dropped on the way to ZITADEL: an ORG_OWNER of B is still refused in A (security review)', async () => {
    // A proxy in front of ZITADEL that loses the header, as a misconfigured gateway would.
    const zitadelUrl = world.zitadel.url;
    const proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(([name]) => !['x-zitadel-orgid', 'host', 'content-length', 'connection'].includes(name)),
        ) as Record<string, string>;
        const body = req.method === 'GET' ? undefined : Buffer.concat(chunks);
        void fetch(`${zitadelUrl}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) }).then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await answer.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const behindProxy = await startZitadelWorld({ apiUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    try {
      // The proxied world asks the main world's ZITADEL; its table is its own.
      await putAction(behindProxy.dynamo.client, { resourceOwner: ORG_A, id: '1' });
      const snapshot = await tableSnapshot(behindProxy.dynamo.client);
      const res = await call(behindProxy.handler, '1', { token: world.zitadel.createPat(STRANGER), orgHeader: ORG_A });
      assert.equal(res.status, 404, JSON.stringify(res.body));
      assert.deepEqual(res.body, MEMBERSHIP_NOT_FOUND);
      assert.deepEqual(await tableSnapshot(behindProxy.dynamo.client), snapshot, 'another organisation’s action untouched');
      // The instance membership still counts everywhere, header or not.
      const admin = await call(behindProxy.handler, '1', { token: world.zitadel.createPat(ADMIN), orgHeader: ORG_A });
      assert.equal(admin.status, 200, JSON.stringify(admin.body));
    } finally {
      proxy.closeAllConnections();
      proxy.close();
      await behindProxy.close();
    }
  });

  test('a membership granted after a refusal counts within 5 s, whatever AUTHZ_CACHE_SECONDS (30 here) says', async (t) => {
    const LATE = '320000000000000006';
    world.zitadel.addUser({ id: LATE, orgId: ORG_A });
    const token = world.zitadel.createPat(LATE);
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    try {
      await expectRejected(await newAction(ORG_A), { token }, 404, MEMBERSHIP_NOT_FOUND);
      world.zitadel.addMembership(LATE, { role: 'ORG_OWNER_VIEWER', orgId: ORG_A });
      await expectRejected(await newAction(ORG_A), { token }, 404, MEMBERSHIP_NOT_FOUND); // still cached
      t.mock.timers.tick(5_001);
      await expectRejected(await newAction(ORG_A), { token }, 403, PERMISSION_DENIED);
      world.zitadel.addMembership(LATE, { role: 'ORG_OWNER', orgId: ORG_A });
      t.mock.timers.tick(5_001);
      const id = await newAction(ORG_A);
      assert.equal((await call(world.handler, id, { token })).status, 200);
      assert.deepEqual(await stored(ORG_A, id), { state: 'INACTIVE', sequence: '2', changedBy: LATE });
    } finally {
      t.mock.timers.reset();
    }
  });
});

describe('the decision cache', () => {
  test('a cached decision costs zero ZITADEL requests; the first costs two, in one round trip', async () => {
    const token = world.zitadel.createPat(OWNER);
    const before = world.zitadelRequests();
    assert.equal((await call(world.handler, await newAction(), { token })).status, 200);
    assert.equal(world.zitadelRequests() - before, 2);
    for (let i = 0; i < 5; i++) assert.equal((await call(world.handler, await newAction(), { token })).status, 200);
    assert.equal(world.zitadelRequests() - before, 2, 'cache hits ask ZITADEL nothing');
  });

  test('the organisation asked for is part of the key: another x-zitadel-orgid is asked anew', async () => {
    const token = world.zitadel.createPat(ADMIN);
    const before = world.zitadelRequests();
    assert.equal((await call(world.handler, await newAction(ORG_A), { token, orgHeader: ORG_A })).status, 200);
    assert.equal((await call(world.handler, await newAction(ORG_B), { token, orgHeader: ORG_B })).status, 200);
    assert.equal(world.zitadelRequests() - before, 4);
  });

  test('single flight: 50 concurrent first calls with one token cost at most 2 ZITADEL requests', async () => {
    const token = world.zitadel.createPat(OWNER);
    const ids = await Promise.all(Array.from({ length: 50 }, () => newAction()));
    const before = world.zitadelRequests();
    const results = await Promise.all(ids.map((id) => call(world.handler, id, { token })));
    assert.ok(results.every((r) => r.status === 200));
    assert.ok(world.zitadelRequests() - before <= 2, `${world.zitadelRequests() - before} requests`);
  });

  /** A world of its own with cache settings `overrides`, ORG_A's owner, its PAT and two actions `1`, `2`. */
  async function withOwnWorld(overrides: { cacheSeconds: number }, body: (w: ZitadelWorld, token: string) => Promise<void>) {
    const own = await startZitadelWorld(overrides);
    try {
      own.zitadel.addOrganization(ORG_A);
      own.zitadel.addUser({ id: OWNER, orgId: ORG_A });
      own.zitadel.addMembership(OWNER, { role: 'ORG_OWNER', orgId: ORG_A });
      await putAction(own.dynamo.client, { resourceOwner: ORG_A, id: '1' });
      await putAction(own.dynamo.client, { resourceOwner: ORG_A, id: '2' });
      await body(own, own.zitadel.createPat(OWNER));
    } finally {
      await own.close();
    }
  }

  test('a revoked token is refused once its cached decision expires (AUTHZ_CACHE_SECONDS=1)', () =>
    withOwnWorld({ cacheSeconds: 1 }, async (own, token) => {
      assert.equal((await call(own.handler, '1', { token })).status, 200);
      own.zitadel.revoke(token);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const res = await call(own.handler, '2', { token });
      assert.equal(res.status, 401);
      assert.deepEqual(res.body, TOKEN_INVALID);
    }));

  test('AUTHZ_CACHE_SECONDS=0: every call asks ZITADEL, so a revocation is seen at once', () =>
    withOwnWorld({ cacheSeconds: 0 }, async (own, token) => {
      assert.equal((await call(own.handler, '1', { token })).status, 200);
      own.zitadel.revoke(token);
      assert.equal((await call(own.handler, '2', { token })).status, 401);
      assert.equal(own.zitadelRequests(), 4);
    }));
});

describe('a cached refusal keeps no token text alive', () => {
  test('the refusal kept in the cache has no cause and no captured stack frames (V8 keeps frames, and what they reach, until .stack is read)', async () => {
    const { createZitadelAuthorizer } = await import('../functions/auth/zitadel-authorizer.ts');
    const { createZitadelAuthApi } = await import('../functions/auth/zitadel-auth-api.ts');
    const { DEFAULT_ROLE_PERMISSIONS } = await import('../functions/domain/permissions.ts');
    const api = createZitadelAuthApi({ apiUrl: world.zitadel.url });
    const authorizer = createZitadelAuthorizer({
      verifyJwt: () => Promise.reject(new Error('no JWT here')),
      lookup: api.lookup,
      cacheSeconds: 30,
      rolePermissions: DEFAULT_ROLE_PERMISSIONS,
    });
    const before = world.zitadelRequests();
    const refusals: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      refusals.push(await authorizer.authorize({ authorization: 'Bearer unknown-opaque-token-for-the-cache', orgHeader: undefined }).then(
        () => assert.fail('authorized'),
        (err: unknown) => err,
      ));
    }
    assert.equal(world.zitadelRequests() - before, 2, 'the second refusal came from the cache');
    const [, cached] = refusals as Error[];
    assert.equal(cached?.message, 'Errors.Token.Invalid (AUTH-7fs1e)');
    assert.equal(cached.cause, undefined);
    assert.equal(cached.stack, 'ZitadelError: Errors.Token.Invalid (AUTH-7fs1e)', 'no frames captured');
  });
});

// The flood of 10,000 distinct junk opaque tokens is in test/heavy/zitadel-flood.heavy.ts (npm run test:heavy).

describe('ZITADEL unreachable, slow or failing: 503 AUTHZ-Zunav, nothing written', () => {
  test('nothing listens at the API URL', async () => {
    const down = await startZitadelWorld({ apiUrl: `http://127.0.0.1:${await freePort()}` });
    try {
      await putAction(down.dynamo.client, { resourceOwner: ORG_A, id: '1' });
      const snapshot = await tableSnapshot(down.dynamo.client);
      const res = await call(down.handler, '1', { token: 'opaque-token-value' });
      assert.equal(res.status, 503);
      assert.deepEqual(res.body, ZITADEL_UNAVAILABLE);
      assert.equal(down.storageRequests.count, 0);
      assert.deepEqual(await tableSnapshot(down.dynamo.client), snapshot);
    } finally {
      await down.close();
    }
  });

  /**
   * A world whose `ZITADEL_API_URL` is a loopback server answering with `respond` (nothing, for a hang),
   * with ORG_A's action `1` stored; the table snapshot taken before `body` runs must hold after it.
   */
  async function withFakeZitadel(
    respond: (res: ServerResponse) => void,
    body: (w: ZitadelWorld) => Promise<void>,
    path = '',
  ) {
    const server = createServer((_req, res) => respond(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = await startZitadelWorld({ apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}` });
    try {
      await putAction(fake.dynamo.client, { resourceOwner: ORG_A, id: '1' });
      const snapshot = await tableSnapshot(fake.dynamo.client);
      await body(fake);
      assert.deepEqual(await tableSnapshot(fake.dynamo.client), snapshot, 'nothing written');
    } finally {
      server.closeAllConnections();
      server.close();
      await fake.close();
    }
  }
  const ANSWER_INVALID = zitadelError(14, 'AUTHZ-Zansw', 'Errors.Authz.ZitadelAnswerInvalid');

  for (const [name, respond] of [
    ['an answer slower than the 2 s bound', () => undefined],
    ['a 500 from ZITADEL', (res: ServerResponse) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"code":13,"message":"boom"}')],
  ] as const) {
    test(name, () =>
      withFakeZitadel(respond, async (fake) => {
        const res = await call(fake.handler, '1', { token: 'opaque-token-value' });
        assert.equal(res.status, 503);
        assert.deepEqual(res.body, ZITADEL_UNAVAILABLE);
      }));
  }

  test('a refusal these calls never give (a 404 in ZITADEL’s shape from a wrong API URL): 503 AUTHZ-Zansw, not cached', async () => {
    let requests = 0;
    const notFound = (res: ServerResponse) => {
      requests++;
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":5,"message":"Not Found","details":[]}');
    };
    await withFakeZitadel(
      notFound,
      async (fake) => {
        for (let i = 0; i < 2; i++) {
          const res = await call(fake.handler, '1', { token: 'opaque-token-value' });
          assert.equal(res.status, 503);
          assert.deepEqual(res.body, ANSWER_INVALID);
        }
      },
      '/wrong',
    );
    assert.equal(requests, 4, 'both calls asked again: nothing cached');
  });

  test('an answer over 256 KB: 503 AUTHZ-Zansw (ZITADEL answered, with something no answer of its own is)', () =>
    withFakeZitadel(
      (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: [], padding: 'x'.repeat(256 * 1024) })),
      async (fake) => {
        const res = await call(fake.handler, '1', { token: 'opaque-token-value' });
        assert.equal(res.status, 503);
        assert.deepEqual(res.body, ANSWER_INVALID);
      },
    ));

  test('an answer that is not ZITADEL’s shape: 503 AUTHZ-Zansw', () =>
    withFakeZitadel(
      (res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>nginx</h1>'),
      async (fake) => {
        const res = await call(fake.handler, '1', { token: 'opaque-token-value' });
        assert.equal(res.status, 503);
        assert.deepEqual(res.body, ANSWER_INVALID);
      },
    ));
});
