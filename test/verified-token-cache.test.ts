/**
 * The cache of verified JWTs (functions/auth/verified-token-cache.ts) inside the real verifier, with real keys
 * and the test issuer's key set over HTTP. A cache hit shows as the very same (frozen) payload object coming
 * back: aws-jwt-verify parses a fresh one on every full verification.
 * The clock is node:test's mocked `Date` (the verifier and the cache both read `Date.now()`), so expiry is
 * tested without waiting.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, afterEach, before, describe, mock, test } from 'node:test';
import { ZitadelError } from '../functions/domain/errors.ts';
import { CLOCK_SKEW_SECONDS, createJwtVerifier, type JwtVerifierHandle } from '../functions/auth/token-verifier.ts';
import { MAX_VERIFIED_TOKENS, VerifiedTokenCache } from '../functions/auth/verified-token-cache.ts';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { orgClaims, PROJECT_ID, startIssuer, type Issuer } from './support/issuer.ts';

type Payload = JwtPayload & { sub: string; exp: number };

let issuer: Issuer;
before(async () => {
  issuer = await startIssuer();
});
after(() => issuer.close());
afterEach(() => mock.timers.reset());

const owner = orgClaims('69629023906488334', { ORG_OWNER: ['69629023906488334'] });

/** A verifier of the test issuer with a cache the test can look into. */
function verifierWith(cache = new VerifiedTokenCache<Payload>()): { jwt: JwtVerifierHandle; cache: VerifiedTokenCache<Payload> } {
  const jwt = createJwtVerifier({ issuer: issuer.url, audience: [PROJECT_ID], jwksUri: `${issuer.url}/oauth/v2/keys` }, cache);
  return { jwt, cache };
}

/** Asserts that `verify` refuses with ZITADEL's 401 and the given reason (the cause the logs show). */
async function assertRefused(verify: Promise<unknown>, reason: string) {
  await assert.rejects(verify, (err: unknown) => {
    assert.ok(err instanceof ZitadelError);
    assert.equal(err.code, 16);
    assert.equal(err.id, 'AUTH-7fs1e');
    assert.equal((err.cause as Error).message, reason);
    return true;
  });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('a verified token is reused, only inside its validity window', () => {
  test('the same token again is served from the cache (same payload object, frozen)', async () => {
    const { jwt, cache } = verifierWith();
    const token = issuer.token(owner);
    const first = await jwt.verify(token);
    assert.equal(cache.size, 1);
    assert.equal(await jwt.verify(token), first);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.aud));
    // Another token of the same user is its own entry, verified in full.
    const other = await jwt.verify(issuer.token({ ...owner, jti: 'other' }));
    assert.notEqual(other, first);
    assert.equal(cache.size, 2);
  });

  test('never past exp: at exp the token is verified in full again, and refused once the grace has passed', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const { jwt } = verifierWith();
    const exp = nowSeconds() + 60;
    const token = issuer.token({ ...owner, exp });
    const first = await jwt.verify(token);
    assert.equal(await jwt.verify(token), first);

    // At exp, inside the verifier's clock-skew grace: accepted, but by a full verification, not the cache.
    mock.timers.setTime(exp * 1000);
    const again = await jwt.verify(token);
    assert.notEqual(again, first);
    // Past the grace: refused, although the token was cached a moment ago.
    mock.timers.setTime((exp + CLOCK_SKEW_SECONDS + 1) * 1000);
    await assertRefused(jwt.verify(token), 'expired');
  });

  test('a clock set back before nbf does not reuse the entry: refused as not yet valid', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const { jwt } = verifierWith();
    const nbf = nowSeconds() + 5; // inside the skew: accepted now
    const token = issuer.token({ ...owner, nbf });
    const first = await jwt.verify(token);
    assert.equal(await jwt.verify(token), first);
    mock.timers.setTime((nbf - CLOCK_SKEW_SECONDS - 5) * 1000);
    await assertRefused(jwt.verify(token), 'not-yet-valid');
  });
});

describe('only tokens that passed every check enter', () => {
  test('a bad signature, a foreign key under a known kid, a wrong audience, an ID token, an expired token: refused, never cached', async () => {
    const { jwt, cache } = verifierWith();
    const valid = issuer.token(owner);
    const [header, payload] = valid.split('.');
    const foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const foreignSignature = sign('sha256', Buffer.from(`${header}.${payload}`), foreignKey).toString('base64url');
    const cases: Array<[string, string]> = [
      [`${header}.${payload}.${Buffer.alloc(256, 7).toString('base64url')}`, 'signature'],
      [`${header}.${payload}.${foreignSignature}`, 'signature'],
      [issuer.token({ ...owner, aud: ['another-project'] }), 'audience'],
      [issuer.token({ ...owner, nonce: 'n' }), 'id-token'],
      [issuer.token({ ...owner, exp: nowSeconds() - 3600 }), 'expired'],
    ];
    for (const [token, reason] of cases) {
      await assertRefused(jwt.verify(token), reason);
      // Twice: a refused token is refused again, from a full verification, not from any cache.
      await assertRefused(jwt.verify(token), reason);
    }
    assert.equal(cache.size, 0);
  });

  test('a tampered copy of a cached token (same header and payload, another signature) is verified and refused', async () => {
    const { jwt, cache } = verifierWith();
    const token = issuer.token(owner);
    await jwt.verify(token);
    assert.equal(cache.size, 1);
    const [header, payload] = token.split('.');
    const foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const tampered = `${header}.${payload}.${sign('sha256', Buffer.from(`${header}.${payload}`), foreignKey).toString('base64url')}`;
    await assertRefused(jwt.verify(tampered), 'signature');
    assert.equal(cache.size, 1);
    // The original is still served.
    assert.ok(await jwt.verify(token));
  });
});

describe('the cache is bounded', () => {
  test('a flood of distinct valid tokens keeps the newest ones only, least recently used out first', async () => {
    const { jwt, cache } = verifierWith(new VerifiedTokenCache<Payload>(50));
    const tokens = Array.from({ length: 200 }, (_, i) => issuer.token({ ...owner, jti: `t-${i}` }, { key: issuer.ec }));
    const first = await jwt.verify(tokens[0]!);
    const payloads = [first];
    for (const token of tokens.slice(1)) {
      payloads.push(await jwt.verify(token));
      assert.equal(await jwt.verify(tokens[0]!), first, 'a token in use stays cached');
    }
    assert.equal(cache.size, 50);
    // tokens[1] was evicted long ago; the last one is still there.
    assert.notEqual(await jwt.verify(tokens[1]!), payloads[1]);
    assert.equal(await jwt.verify(tokens.at(-1)!), payloads.at(-1));
  });

  test(`default bound (${MAX_VERIFIED_TOKENS}): 4,000 distinct valid tokens, size capped and the heap after GC flat once full`, async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { jwt, cache } = verifierWith();
    let next = 0;
    const flood = async (count: number) => {
      for (let i = 0; i < count; i++) await jwt.verify(issuer.token({ ...owner, jti: `flood-${next++}-${'x'.repeat(200)}` }, { key: issuer.ec }));
    };
    await flood(2_000); // fills the cache and warms everything up
    assert.equal(cache.size, MAX_VERIFIED_TOKENS);
    gc();
    const heapHalfway = process.memoryUsage().heapUsed;
    await flood(2_000);
    gc();
    assert.equal(cache.size, MAX_VERIFIED_TOKENS);
    const grownMiB = (process.memoryUsage().heapUsed - heapHalfway) / 2 ** 20;
    assert.ok(grownMiB < 2, `heap grew by ${grownMiB.toFixed(1)} MiB over the second 2,000 tokens`);
  });
});
