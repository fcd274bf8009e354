import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AUTH_HEADER_MISSING, call, zitadelError } from './support/api.ts';
import { putAction, tableSnapshot } from './support/dynamodb.ts';
import { generateSigningKey, orgClaims, PROJECT_ID, signJwt } from './support/issuer.ts';
import { startWorld, type World } from './support/setup.ts';
import { freePort } from './support/ports.ts';

const ORG = '69629023906488334';
const ACTION = '69629023906488999';
const TOKEN_INVALID = zitadelError(16, 'AUTH-7fs1e', 'Errors.Token.Invalid');
// ZITADEL's auth interceptor (internal/api/authz/token.go): a header that is not `Bearer <token>`.
const INVALID_AUTH_HEADER = zitadelError(16, 'AUTH-7fs1e', 'invalid auth header');
const KEY_SET_UNAVAILABLE = zitadelError(14, 'AUTH-Jwks5', 'Errors.Token.KeySetUnavailable');

let world: World;
before(async () => {
  world = await startWorld();
  await putAction(world.dynamo.client, { resourceOwner: ORG, id: ACTION });
});
after(() => world.close());

const owner = orgClaims(ORG, { ORG_OWNER: [ORG] });
const now = () => Math.floor(Date.now() / 1000);

/** Asserts a 401 in ZITADEL's shape, with no DynamoDB request made and the table unchanged. */
async function expectUnauthenticated(options: Parameters<typeof call>[2], body: object = TOKEN_INVALID) {
  const snapshot = await tableSnapshot(world.dynamo.client);
  const requestsBefore = world.storageRequests.count;
  const res = await call(world.handler, ACTION, options);
  assert.equal(res.status, 401);
  assert.deepEqual(res.body, body);
  // grpc-gateway's DefaultHTTPErrorHandler (ZITADEL's gateway): WWW-Authenticate is the status message.
  assert.equal(res.headers['www-authenticate'], (body as { message: string }).message);
  assert.equal(world.storageRequests.count, requestsBefore, 'no DynamoDB request on a token failure');
  assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot);
}

describe('token failures are Unauthenticated (401) and never reach DynamoDB', () => {
  const cases: Array<[string, () => Parameters<typeof call>[2], object?]> = [
    ['no Authorization header', () => ({}), AUTH_HEADER_MISSING],
    ['an empty Authorization header', () => ({ authorization: '' }), AUTH_HEADER_MISSING],
    ['a scheme other than Bearer', () => ({ authorization: `Basic ${world.issuer.token(owner)}` }), INVALID_AUTH_HEADER],
    ['a token without scheme', () => ({ authorization: world.issuer.token(owner) }), INVALID_AUTH_HEADER],
    ['Bearer without a token', () => ({ authorization: 'Bearer ' })],
    // ZITADEL splits on exactly "Bearer " (internal/api/authz/token.go).
    ['the scheme in lower case', () => ({ authorization: `bearer ${world.issuer.token(owner)}` }), INVALID_AUTH_HEADER],
    ['two spaces after Bearer', () => ({ authorization: `Bearer  ${world.issuer.token(owner)}` })],
    ['something after the token', () => ({ authorization: `Bearer ${world.issuer.token(owner)} x` })],
    ['a NUL byte in the token', () => ({ authorization: `Bearer ${world.issuer.token(owner)}\u0000x` })],
    ['a non-ASCII character in the token', () => ({ authorization: 'Bearer opaque€token' })],
    ['a malformed token', () => ({ token: 'not.a.jwt' })],
    ['two parts only', () => ({ token: world.issuer.token(owner).split('.').slice(0, 2).join('.') })],
    [
      'a bad signature (another key claiming a known kid)',
      () => ({ token: signJwt({ ...generateSigningKey('rsa-1', 'RS256') }, { ...claims(), ...owner }) }),
    ],
    ['a wrong issuer', () => ({ token: world.issuer.token({ ...owner, iss: 'https://evil.example.com' }) })],
    ['a wrong audience', () => ({ token: world.issuer.token({ ...owner, aud: ['999999999999999999'] }) })],
    ['no audience', () => ({ token: world.issuer.token({ ...owner, aud: undefined }) })],
    ['an expired token', () => ({ token: world.issuer.token({ ...owner, exp: now() - 60 }) })],
    ['a token not yet valid', () => ({ token: world.issuer.token({ ...owner, nbf: now() + 3600 }) })],
    ['a token without exp', () => ({ token: world.issuer.token({ ...owner, exp: undefined }) })],
    ['an unknown kid', () => ({ token: signJwt(generateSigningKey('unknown-kid', 'RS256'), { ...claims(), ...owner }) })],
    ['no kid', () => ({ token: world.issuer.token(owner, { header: { kid: undefined } }) })],
    ['a token without sub', () => ({ token: world.issuer.token({ ...owner, sub: undefined }) })],
    ['alg none', () => ({ token: unsigned({ alg: 'none', typ: 'JWT', kid: 'rsa-1' }, { ...claims(), ...owner }) })],
  ];
  for (const [name, options, body] of cases) {
    test(name, () => expectUnauthenticated(options(), body));
  }

  /** The standard claims of a valid token from the test issuer. */
  function claims() {
    return { iss: world.issuer.url, aud: [PROJECT_ID], sub: 'user-1', iat: now(), exp: now() + 3600 };
  }
});

function unsigned(header: object, payload: object): string {
  const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${enc(header)}.${enc(payload)}.`;
}

describe('valid tokens', () => {
  test('RS256 and ES256 tokens are both accepted', async () => {
    await putAction(world.dynamo.client, { resourceOwner: ORG, id: 'rs' });
    await putAction(world.dynamo.client, { resourceOwner: ORG, id: 'es' });
    assert.equal((await call(world.handler, 'rs', { token: world.issuer.token(owner) })).status, 200);
    assert.equal((await call(world.handler, 'es', { token: world.issuer.token(owner, { key: world.issuer.ec }) })).status, 200);
  });

  test('the audience may be one of several configured project ids', async () => {
    const multi = await startWorld({ audience: ['111', PROJECT_ID] });
    try {
      await putAction(multi.dynamo.client, { resourceOwner: ORG, id: ACTION });
      const res = await call(multi.handler, ACTION, { token: multi.issuer.token({ ...owner, aud: ['x', '111'] }) });
      assert.equal(res.status, 200);
    } finally {
      await multi.close();
    }
  });

  test('a warm function verifies from its cached key set: no fetch per request', async () => {
    await putAction(world.dynamo.client, { resourceOwner: ORG, id: 'warm-1' });
    await putAction(world.dynamo.client, { resourceOwner: ORG, id: 'warm-2' });
    assert.equal((await call(world.handler, 'warm-1', { token: world.issuer.token(owner) })).status, 200);
    const fetches = world.issuer.state.fetches;
    assert.equal((await call(world.handler, 'warm-2', { token: world.issuer.token(owner) })).status, 200);
    assert.equal(world.issuer.state.fetches, fetches);
  });

  test('key rotation: a token with a new kid triggers one refetch and is accepted', async () => {
    // A world of its own: an unknown kid seen earlier in this file puts the key set in
    // aws-jwt-verify's penalty box for 10 s, by design (see the flood test below).
    const fresh = await startWorld();
    try {
      await putAction(fresh.dynamo.client, { resourceOwner: ORG, id: 'old' });
      await putAction(fresh.dynamo.client, { resourceOwner: ORG, id: 'rotated' });
      assert.equal((await call(fresh.handler, 'old', { token: fresh.issuer.token(owner) })).status, 200);
      const rotated = generateSigningKey('rsa-2', 'RS256');
      fresh.issuer.state.keys.push(rotated);
      const fetches = fresh.issuer.state.fetches;
      const res = await call(fresh.handler, 'rotated', { token: fresh.issuer.token(owner, { key: rotated }) });
      assert.equal(res.status, 200);
      assert.equal(fresh.issuer.state.fetches, fetches + 1);
    } finally {
      await fresh.close();
    }
  });

  test('a key the issuer withdrew stops being trusted once the cached key set is older than its max age', async () => {
    const fresh = await startWorld({ keySetMaxAgeMs: 100 });
    try {
      for (const id of ['a', 'b', 'c']) await putAction(fresh.dynamo.client, { resourceOwner: ORG, id });
      const retiring = generateSigningKey('rsa-old', 'RS256');
      fresh.issuer.state.keys.push(retiring);
      const token = fresh.issuer.token(owner, { key: retiring });
      assert.equal((await call(fresh.handler, 'a', { token })).status, 200);

      fresh.issuer.state.keys.pop(); // the issuer withdraws the key
      await new Promise((resolve) => setTimeout(resolve, 150));
      const fetches = fresh.issuer.state.fetches;
      // The first request after the max age is served from the cached set and starts a refresh.
      assert.equal((await call(fresh.handler, 'b', { token })).status, 200);
      // Bounded: a refresh that never starts fails here instead of hanging the run.
      const deadline = Date.now() + 5_000;
      while (fresh.issuer.state.fetches === fetches && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.notEqual(fresh.issuer.state.fetches, fetches, 'the background refresh fetched the key set within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 20));

      const res = await call(fresh.handler, 'c', { token });
      assert.equal(res.status, 401);
      assert.deepEqual(res.body, TOKEN_INVALID);
      // Tokens signed with a key still published keep working.
      assert.equal((await call(fresh.handler, 'c', { token: fresh.issuer.token(owner) })).status, 200);
    } finally {
      await fresh.close();
    }
  });

  test('a flood of unknown kids costs the issuer at most one fetch', async () => {
    const fresh = await startWorld();
    try {
      assert.equal((await call(fresh.handler, ACTION, { token: fresh.issuer.token(owner) })).status, 404);
      const fetches = fresh.issuer.state.fetches;
      const forged = Array.from({ length: 30 }, (_, i) =>
        signJwt(generateSigningKey(`forged-${i}`, 'ES256'), { ...owner, iss: fresh.issuer.url, aud: [PROJECT_ID], sub: 'x', exp: now() + 60 }),
      );
      const results = await Promise.all(forged.map((token) => call(fresh.handler, ACTION, { token })));
      assert.deepEqual(new Set(results.map((r) => r.status)), new Set([401]));
      assert.ok(fresh.issuer.state.fetches - fetches <= 1, `issuer fetched ${fresh.issuer.state.fetches - fetches} times`);
    } finally {
      await fresh.close();
    }
  });
});

describe('key set unreachable', () => {
  test('a cold function whose issuer is down answers Unavailable (503), writes nothing', async () => {
    const closedPort = await freePort();
    const down = await startWorld({ jwksUri: `http://127.0.0.1:${closedPort}/oauth/v2/keys` });
    try {
      await putAction(down.dynamo.client, { resourceOwner: ORG, id: ACTION });
      const snapshot = await tableSnapshot(down.dynamo.client);
      const res = await call(down.handler, ACTION, { token: down.issuer.token(owner) });
      assert.equal(res.status, 503);
      assert.deepEqual(res.body, KEY_SET_UNAVAILABLE);
      assert.equal(down.storageRequests.count, 0);
      assert.deepEqual(await tableSnapshot(down.dynamo.client), snapshot);
    } finally {
      await down.close();
    }
  });

  test('a cold function whose issuer is too slow answers Unavailable (503) after a bounded wait', async () => {
    const slow = await startWorld();
    try {
      slow.issuer.state.delayMs = 30_000;
      const res = await call(slow.handler, ACTION, { token: slow.issuer.token(owner) });
      // Answered, not hung: the fetch gave up (2 s, one retry), far inside the 10 s Lambda context.
      assert.equal(res.status, 503);
      assert.deepEqual(res.body, KEY_SET_UNAVAILABLE);
      assert.equal(slow.issuer.state.fetches, 2, 'one fetch and aws-jwt-verify’s one retry');
      assert.equal(slow.storageRequests.count, 0);
    } finally {
      await slow.close();
    }
  });

  test('a warm function keeps serving from its cached keys while the issuer is down', async () => {
    const warm = await startWorld();
    try {
      for (const id of ['w1', 'w2', 'w3']) await putAction(warm.dynamo.client, { resourceOwner: ORG, id });
      assert.equal((await call(warm.handler, 'w1', { token: warm.issuer.token(owner) })).status, 200);
      warm.issuer.state.down = true;
      assert.equal((await call(warm.handler, 'w2', { token: warm.issuer.token(owner) })).status, 200);
      assert.equal((await call(warm.handler, 'w3', { token: warm.issuer.token(owner, { key: warm.issuer.ec }) })).status, 200);
    } finally {
      await warm.close();
    }
  });

  test('a key set answering 500 is Unavailable (503)', async () => {
    const broken = await startWorld();
    try {
      broken.issuer.state.answer = { status: 500, body: 'oops' };
      const res = await call(broken.handler, ACTION, { token: broken.issuer.token(owner) });
      assert.equal(res.status, 503);
      assert.deepEqual(res.body, KEY_SET_UNAVAILABLE);
    } finally {
      await broken.close();
    }
  });
});
