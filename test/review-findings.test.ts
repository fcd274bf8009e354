/**
 * Adversarial review of the authorization path (round 4): each finding's reproduction, against the real servers
 * (dynalite, the dev ZITADEL), and the checks of the same review that found the behaviour sound.
 * A loopback server answering as ZITADEL's Auth API stands in for ZITADEL where the dev ZITADEL cannot hold the
 * memberships asked about (project and project-grant memberships); the test names say so.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { MAX_CACHED_DECISIONS } from '../functions/auth/zitadel-authorizer.ts';
import { call, deactivateEvent, lambdaContext, zitadelError } from './support/api.ts';
import { putAction, tableSnapshot } from './support/dynamodb.ts';
import { startZitadelWorld, type ZitadelWorld } from './support/zitadel-world.ts';

const ORG_A = '410000000000000001';
const ORG_B = '410000000000000002';
const OWNER = '420000000000000001'; // ORG_OWNER of A
const ORIGIN_NOT_ALLOWED = zitadelError(7, 'AUTH-DZG21', 'Errors.OriginNotAllowed');
const MEMBERSHIP_NOT_FOUND = zitadelError(5, 'AUTHZ-cdgFk', 'membership not found');
const PERMISSION_DENIED = zitadelError(7, 'AUTH-5mWD2', 'No matching permissions found');

let world: ZitadelWorld;
let nextAction = 0;
before(async () => {
  world = await startZitadelWorld();
  world.zitadel.addOrganization(ORG_A, 'a');
  world.zitadel.addOrganization(ORG_B, 'b');
  world.zitadel.addUser({ id: OWNER, orgId: ORG_A });
  world.zitadel.addMembership(OWNER, { role: 'ORG_OWNER', orgId: ORG_A });
});
after(() => world.close());

async function newAction(w: ZitadelWorld = world, org = ORG_A): Promise<string> {
  const id = `43000000000000${String(++nextAction).padStart(4, '0')}`;
  await putAction(w.dynamo.client, { resourceOwner: org, id, sequence: 1 });
  return id;
}

describe('finding: the 400 for an undecodable body quoted the whole token (unauthenticated, before the token is checked)', () => {
  test('a body that is one 1.6 MB JSON string of backslashes: 400 with a bounded message, not a 6 MB+ answer; ZITADEL never asked', async () => {
    const id = await newAction();
    const snapshot = await tableSnapshot(world.dynamo.client);
    const asked = world.zitadelRequests();
    // 1.6 MB of `\\` pairs: quoted whole, the message doubled them in the JSON body and Lambda's response JSON
    // doubled them again: some 6.4 MB, over Lambda's 6 MB response limit (a 5xx and a function error).
    const body = `"${'\\\\'.repeat(800_000)}"`;
    const result = await world.handler(deactivateEvent(id, { body }), lambdaContext());
    assert.equal(result.statusCode, 400);
    const answer = JSON.parse(result.body ?? '') as { code: number; message: string };
    assert.equal(answer.code, 3);
    assert.ok(answer.message.startsWith('proto: syntax error (line 1:1): unexpected token "\\\\\\\\'), answer.message.slice(0, 80));
    assert.ok(answer.message.endsWith('…'), 'the cut is marked');
    assert.ok((result.body ?? '').length < 1_000, `answer of ${(result.body ?? '').length} characters`);
    assert.equal(world.zitadelRequests(), asked, 'decoding comes first: ZITADEL never asked');
    assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot);
  });

  test('`id` holding a 2 MB number: 400, the number quoted up to the bound', async () => {
    const id = await newAction();
    const res = await call(world.handler, id, { body: `{"id": ${'1'.repeat(2_000_000)}}` });
    assert.equal(res.status, 400);
    assert.equal(res.body.message, `proto: (line 1:8): invalid value for string field id: ${'1'.repeat(200)}…`);
  });

  test('a short token is still quoted whole, as protojson does', async () => {
    const id = await newAction();
    const res = await call(world.handler, id, { body: '{"id": 5}' });
    assert.deepEqual(res.body, { code: 3, message: 'proto: (line 1:8): invalid value for string field id: 5' });
  });
});

describe('finding: junk opaque tokens (anyone can send them) evicted the cached permits', () => {
  test(`${MAX_CACHED_DECISIONS + 100} distinct refused tokens after an owner’s call: the owner’s next call still costs no ZITADEL request`, async () => {
    const token = world.zitadel.createPat(OWNER);
    assert.equal((await call(world.handler, await newAction(), { token })).status, 200);
    const id = await newAction();
    let next = 0;
    const worker = async () => {
      while (next < MAX_CACHED_DECISIONS + 100) {
        const junk = `review-junk-${String(next++).padStart(6, '0')}-${'y'.repeat(40)}`;
        assert.equal((await call(world.handler, id, { token: junk })).status, 401);
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    const asked = world.zitadelRequests();
    const again = await newAction();
    assert.equal((await call(world.handler, again, { token })).status, 200);
    assert.equal(world.zitadelRequests(), asked, 'the permit was still cached');
  });
});

describe('finding: an Origin no HTTP field may hold read as a ZITADEL outage (503 AUTHZ-Zunav)', () => {
  // node's HTTP server refuses such a header (400), so the local server never passes one on; a gateway event may
  // still carry it. fetch refused the whole request to ZITADEL, and the answer was the outage alarm's 503.
  for (const origin of ['https://app.example\u007f', 'https://app.example\u0001', 'https://app.\u20ac.example']) {
    test(`Origin ${JSON.stringify(origin)}: a PAT (never checked against origins) deactivates, a token of an application is 403 AUTH-DZG21`, async () => {
      const pat = world.zitadel.createPat(OWNER);
      const patAction = await newAction();
      const res = await call(world.handler, patAction, { token: pat, headers: { origin } });
      assert.equal(res.status, 200, JSON.stringify(res.body));

      const id = await newAction();
      const snapshot = await tableSnapshot(world.dynamo.client);
      const refused = await call(world.handler, id, { token: world.zitadel.issueOpaque(OWNER), headers: { origin } });
      assert.equal(refused.status, 403, JSON.stringify(refused.body));
      assert.deepEqual(refused.body, ORIGIN_NOT_ALLOWED);
      assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot);
    });
  }
});

/**
 * A loopback server answering as ZITADEL's Auth API for one user (`users/me`) with the given memberships
 * (`memberships/me/_search`), in ListMyMemberships' shape: the dev ZITADEL keeps organisation and instance
 * memberships only, not the project and project-grant ones asked about here.
 */
async function withAuthApi(
  user: { id: string; orgId: string },
  memberships: unknown[],
  body: (w: ZitadelWorld) => Promise<void>,
  overrides: Parameters<typeof startZitadelWorld>[0] = {},
) {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const answer = req.url?.startsWith('/auth/v1/users/me')
      ? { user: { id: user.id, details: { resourceOwner: user.orgId }, userName: 'u' } }
      : { details: { totalResult: String(memberships.length) }, result: memberships };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake = await startZitadelWorld({ apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ...overrides });
  try {
    await body(fake);
  } finally {
    server.closeAllConnections();
    server.close();
    await fake.close();
  }
}

describe('checked sound: which memberships count (a loopback ZITADEL Auth API answering project and grant memberships)', () => {
  const USER = '420000000000000009';
  const GRANT_OWNER_WRITES = { rolePermissions: { ORG_OWNER: ['org.action.write'], PROJECT_GRANT_OWNER: ['org.action.write'] } };

  test('a project-grant membership (resource owner: the project’s organisation A) counts in A, as ZITADEL’s resource-owner query counts it', () =>
    withAuthApi(
      { id: USER, orgId: ORG_B },
      [{ userId: USER, details: { resourceOwner: ORG_A }, roles: ['PROJECT_GRANT_OWNER'], projectGrantId: '450000000000000001' }],
      async (w) => {
        const id = await newAction(w, ORG_A);
        const res = await call(w.handler, id, { token: 'opaque-grant-member', orgHeader: ORG_A });
        assert.equal(res.status, 403, JSON.stringify(res.body));
        assert.deepEqual(res.body, PERMISSION_DENIED);
      },
    ));

  test('…but never in the granted organisation B, even with a mapping that gives the role org.action.write (nothing written)', () =>
    withAuthApi(
      { id: USER, orgId: ORG_B },
      [{ userId: USER, details: { resourceOwner: ORG_A }, roles: ['PROJECT_GRANT_OWNER'], projectGrantId: '450000000000000001' }],
      async (w) => {
        const id = await newAction(w, ORG_B);
        const snapshot = await tableSnapshot(w.dynamo.client);
        const res = await call(w.handler, id, { token: 'opaque-grant-member', orgHeader: ORG_B });
        // ZITADEL counts it in B too (granted_org_id) and answers 403 AUTH-5mWD2: ListMyMemberships does not say
        // which organisation a grant is for, so here it is not counted (a refusal either way).
        assert.equal(res.status, 404, JSON.stringify(res.body));
        assert.deepEqual(res.body, MEMBERSHIP_NOT_FOUND);
        assert.deepEqual(await tableSnapshot(w.dynamo.client), snapshot);
      },
      GRANT_OWNER_WRITES,
    ));

  test('empty ids never match: a user whose own organisation is "" with an ORG_OWNER membership of "" writes nothing', () =>
    withAuthApi(
      { id: USER, orgId: '' },
      [{ userId: USER, details: { resourceOwner: '' }, roles: ['ORG_OWNER'], orgId: '' }],
      async (w) => {
        await putAction(w.dynamo.client, { resourceOwner: ORG_A, id: '1' });
        const snapshot = await tableSnapshot(w.dynamo.client);
        const res = await call(w.handler, '1', { token: 'opaque-empty-org' });
        assert.ok(res.status >= 400, JSON.stringify(res.body));
        assert.deepEqual(await tableSnapshot(w.dynamo.client), snapshot);
      },
    ));

  test('an ORG_OWNER membership of B whose resource owner is A (orgId and resourceOwner disagreeing) is not a way into a third organisation', () =>
    withAuthApi(
      { id: USER, orgId: ORG_B },
      [{ userId: USER, details: { resourceOwner: ORG_A }, roles: ['ORG_OWNER'], orgId: ORG_B }],
      async (w) => {
        const id = await newAction(w, '410000000000000003');
        const snapshot = await tableSnapshot(w.dynamo.client);
        const res = await call(w.handler, id, { token: 'opaque-confused', orgHeader: '410000000000000003' });
        assert.equal(res.status, 404, JSON.stringify(res.body));
        assert.deepEqual(await tableSnapshot(w.dynamo.client), snapshot);
      },
    ));
});

describe('finding: a passed-through 401’s message became WWW-Authenticate as it was', () => {
  // A loopback server at the API URL answering 401 in ZITADEL's shape with a CR LF in the message: ZITADEL's own
  // messages have none, but whatever answers there (a proxy, a misrouted URL) must not be able to add headers.
  test('a message with CR LF is not ZITADEL’s answer: 503 AUTHZ-Zansw, no header carries a control character, nothing written', async () => {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(401, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          code: 16,
          message: 'Errors.Token.Invalid (AUTH-7fs1e)\r\nSet-Cookie: session=attacker',
          details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: 'AUTH-7fs1e', message: 'Errors.Token.Invalid' }],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = await startZitadelWorld({ apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    try {
      await putAction(fake.dynamo.client, { resourceOwner: ORG_A, id: '1' });
      const snapshot = await tableSnapshot(fake.dynamo.client);
      const res = await call(fake.handler, '1', { token: 'opaque-token-value' });
      assert.equal(res.status, 503, JSON.stringify(res.body));
      assert.deepEqual(res.body, zitadelError(14, 'AUTHZ-Zansw', 'Errors.Authz.ZitadelAnswerInvalid'));
      for (const [name, value] of Object.entries(res.headers)) assert.doesNotMatch(String(value), /\p{Cc}/u, name);
      assert.deepEqual(await tableSnapshot(fake.dynamo.client), snapshot);
    } finally {
      server.closeAllConnections();
      server.close();
      await fake.close();
    }
  });
});

describe('checked: JWT-shaped tokens (bearer.ts said padding is never sent to ZITADEL)', () => {
  test('a fourth segment or padding inside the signed part: 401 locally, ZITADEL never asked; padding after the signature: ZITADEL decides', async () => {
    const jwt = world.zitadel.issueJwt(OWNER);
    const [header = '', payload = '', signature = ''] = jwt.split('.');
    for (const token of [`${jwt}.x`, `${header}=.${payload}.${signature}`, `${header}.${payload}=.${signature}`]) {
      const id = await newAction();
      const snapshot = await tableSnapshot(world.dynamo.client);
      const asked = world.zitadelRequests();
      const res = await call(world.handler, id, { token });
      assert.equal(res.status, 401, token.slice(-20));
      assert.equal(world.zitadelRequests(), asked, 'refused locally');
      assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot);
    }
    // aws-jwt-verify accepts `=` after the signature (the signed input is unchanged); the token is then ZITADEL's to
    // decide, asked with the token as sent (here the dev ZITADEL, which reads it as the JWT it issued).
    const asked = world.zitadelRequests();
    const res = await call(world.handler, await newAction(), { token: `${jwt}=` });
    assert.equal(world.zitadelRequests() - asked, 2, 'ZITADEL asked');
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });
});
