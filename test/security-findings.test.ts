/**
 * The security review's findings (round 2), each proven here against the real handler in claims mode
 * (dynalite, a loopback issuer serving its key set over HTTP, tokens signed with real keys).
 * Finding 4 is in the storage tests, 7 in the local server tests, 8 in the stack tests.
 */
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, test } from 'node:test';
import { call, zitadelError } from './support/api.ts';
import { putAction, tableSnapshot } from './support/dynamodb.ts';
import { GENERIC_ROLES_CLAIM, generateSigningKey, orgClaims, ORG_CLAIM, PROJECT_ID, signJwt } from './support/issuer.ts';
import { startWorld, type World } from './support/setup.ts';

const ORG_A = '69629023906488334';
const ORG_B = '71111111111111111';
const TOKEN_INVALID = zitadelError(16, 'AUTH-7fs1e', 'Errors.Token.Invalid');
const PERMISSION_DENIED = zitadelError(7, 'AUTH-5mWD2', 'No matching permissions found');
const KEY_SET_UNAVAILABLE = zitadelError(14, 'AUTH-Jwks5', 'Errors.Token.KeySetUnavailable');

let world: World;
let next = 0;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

async function newAction(org: string): Promise<string> {
  const id = `5000000000000${String(++next).padStart(5, '0')}`;
  await putAction(world.dynamo.client, { resourceOwner: org, id });
  return id;
}

async function expectRejected(org: string, token: string, status: number, body: object, orgHeader?: string) {
  const id = await newAction(org);
  const snapshot = await tableSnapshot(world.dynamo.client);
  const res = await call(world.handler, id, { token, ...(orgHeader === undefined ? {} : { orgHeader }) });
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.deepEqual(res.body, body);
  assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot);
}

describe('security finding 1: roles only from the configured project’s own claim', () => {
  const genericRoles = (roles: Record<string, string[]>) => ({
    [GENERIC_ROLES_CLAIM]: Object.fromEntries(Object.entries(roles).map(([r, orgs]) => [r, Object.fromEntries(orgs.map((o) => [o, 'x']))])),
  });

  test('IAM_OWNER in the generic claim (the requesting client’s project) deactivates nothing in another organisation', async () => {
    const token = world.issuer.token({ [ORG_CLAIM]: ORG_B, ...genericRoles({ IAM_OWNER: [ORG_B] }) });
    await expectRejected(ORG_A, token, 403, PERMISSION_DENIED, ORG_A);
  });

  test('ORG_OWNER in the generic claim counts for nothing, even in the user’s own organisation', async () => {
    const token = world.issuer.token({ [ORG_CLAIM]: ORG_A, ...genericRoles({ ORG_OWNER: [ORG_A] }) });
    await expectRejected(ORG_A, token, 403, PERMISSION_DENIED);
  });

  test('the same roles in the project’s own claim do count (IAM_OWNER instance-wide, IAM_ORG_MANAGER too)', async () => {
    for (const role of ['IAM_OWNER', 'IAM_ORG_MANAGER']) {
      const id = await newAction(ORG_A);
      const res = await call(world.handler, id, { token: world.issuer.token(orgClaims(ORG_B, { [role]: [ORG_B] })), orgHeader: ORG_A });
      assert.equal(res.status, 200, `${role}: ${JSON.stringify(res.body)}`);
    }
  });
});

describe('security finding 2: a flood of forged issuers does not grow memory', () => {
  test('20,000 tokens with distinct 7 KB issuers: all 401, heap after GC flat, no key-set fetch', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const id = await newAction(ORG_A);
    const fetches = world.issuer.state.fetches;
    const padding = 'x'.repeat(7 * 1024);
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const header = b64({ alg: 'RS256', typ: 'JWT', kid: 'rsa-1' });
    // Signed or not makes no difference here: the review's flood cached per issuer before any signature check.
    const signature = 'A'.repeat(342);
    const flood = async (from: number, count: number) => {
      for (let i = from; i < from + count; i++) {
        const iss = `https://evil-${i}.example.com/${padding}`;
        const token = `${header}.${b64({ iss, aud: [PROJECT_ID], sub: 'x', exp: Math.floor(Date.now() / 1000) + 60 })}.${signature}`;
        const res = await call(world.handler, id, { token });
        assert.equal(res.status, 401);
      }
    };
    await flood(0, 1_000); // warm up: JIT, pools
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    await flood(1_000, 20_000);
    gc();
    const grownMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    // Before the fix the same flood grew the heap by about 151 MiB.
    assert.ok(grownMiB < 8, `heap grew by ${grownMiB.toFixed(1)} MiB`);
    assert.equal(world.issuer.state.fetches, fetches);
  });
});

describe('security finding 3: back off after a failed key-set fetch', () => {
  test('key set answering 500: 50 forged kids cost one fetch (and its one retry), each answered 503', async () => {
    const fresh = await startWorld();
    try {
      fresh.issuer.state.answer = { status: 500, body: 'down' };
      await putAction(fresh.dynamo.client, { resourceOwner: ORG_A, id: '1' });
      for (let i = 0; i < 50; i++) {
        const token = signJwt(generateSigningKey(`forged-${i}`, 'ES256'), {
          iss: fresh.issuer.url,
          aud: [PROJECT_ID],
          sub: 'x',
          exp: Math.floor(Date.now() / 1000) + 60,
        });
        const res = await call(fresh.handler, '1', { token });
        assert.equal(res.status, 503);
        assert.deepEqual(res.body, KEY_SET_UNAVAILABLE);
      }
      assert.ok(fresh.issuer.state.fetches <= 2, `${fresh.issuer.state.fetches} fetches`);
    } finally {
      await fresh.close();
    }
  });
});

describe('security finding 5: absurd exp / nbf are bad tokens (401), not 500', () => {
  for (const [name, claims] of [
    ['exp: -1e300', { exp: -1e300 }],
    ['exp: 1e300', { exp: 1e300 }],
    ['nbf: 1e300', { nbf: 1e300 }],
    ['nbf: -1e300', { nbf: -1e300 }],
    ['iat: "yesterday"', { iat: 'yesterday' }],
  ] as const) {
    test(name, async () => {
      await expectRejected(ORG_A, world.issuer.token({ ...orgClaims(ORG_A, { ORG_OWNER: [ORG_A] }), ...claims }), 401, TOKEN_INVALID);
    });
  }
});

describe('security finding 6: crit and typ headers', () => {
  const owner = () => orgClaims(ORG_A, { ORG_OWNER: [ORG_A] });
  test('a crit header is refused (RFC 7515 §4.1.11: we understand no extension)', async () => {
    await expectRejected(ORG_A, world.issuer.token(owner(), { header: { crit: ['exp'], exp: 1 } }), 401, TOKEN_INVALID);
  });
  for (const typ of ['logout+jwt', 'dpop+jwt', 'JWE', 'secevent+jwt']) {
    test(`typ ${typ} is refused`, async () => {
      await expectRejected(ORG_A, world.issuer.token(owner(), { header: { typ } }), 401, TOKEN_INVALID);
    });
  }
  for (const typ of ['JWT', 'at+jwt', 'application/at+JWT', undefined]) {
    test(`typ ${String(typ)} is accepted`, async () => {
      const id = await newAction(ORG_A);
      const res = await call(world.handler, id, { token: world.issuer.token(owner(), { header: { typ } }) });
      assert.equal(res.status, 200);
    });
  }
});

describe('test gaps of the mutation audit (auth)', () => {
  test('a configured role holding only org.action.read may not deactivate', async () => {
    const readOnly = await startWorld({ rolePermissions: { ACTION_VIEWER: ['org.action.read'], ORG_OWNER: ['org.action.write'] } });
    try {
      await putAction(readOnly.dynamo.client, { resourceOwner: ORG_A, id: '1' });
      const res = await call(readOnly.handler, '1', { token: readOnly.issuer.token(orgClaims(ORG_A, { ACTION_VIEWER: [ORG_A] })) });
      assert.equal(res.status, 403);
      assert.deepEqual(res.body, PERMISSION_DENIED);
    } finally {
      await readOnly.close();
    }
  });

  test('an empty-string sub is refused', async () => {
    await expectRejected(ORG_A, world.issuer.token({ ...orgClaims(ORG_A, { ORG_OWNER: [ORG_A] }), sub: '' }), 401, TOKEN_INVALID);
  });

  test('by default the key set is not refetched within 10 minutes: a withdrawn key stays trusted until then', async () => {
    const fresh = await startWorld(); // the default max age, not a test value
    try {
      const retiring = generateSigningKey('retiring', 'RS256');
      fresh.issuer.state.keys.push(retiring);
      await putAction(fresh.dynamo.client, { resourceOwner: ORG_A, id: '1' });
      await putAction(fresh.dynamo.client, { resourceOwner: ORG_A, id: '2' });
      const token = (id: string) => fresh.issuer.token(orgClaims(ORG_A, { ORG_OWNER: [ORG_A] }), { key: retiring, header: { jti: id } });
      assert.equal((await call(fresh.handler, '1', { token: token('1') })).status, 200);
      const fetches = fresh.issuer.state.fetches;
      fresh.issuer.state.keys.pop();
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await call(fresh.handler, '2', { token: token('2') })).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(fresh.issuer.state.fetches, fetches, 'no refresh before the 10-minute max age');
    } finally {
      await fresh.close();
    }
  });
});
