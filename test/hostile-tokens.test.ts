import assert from 'node:assert/strict';
import { createHmac, sign } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { call, zitadelError } from './support/api.ts';
import { putAction, tableSnapshot } from './support/dynamodb.ts';
import { generateSigningKey, orgClaims, PROJECT_ID, type SigningKey } from './support/issuer.ts';
import { startWorld, type World } from './support/setup.ts';

const ORG = '69629023906488334';
const OTHER_ORG = '71111111111111111';
const ACTION = '69629023906488999';
const TOKEN_INVALID = zitadelError(16, 'AUTH-7fs1e', 'Errors.Token.Invalid');

const b64 = (text: string) => Buffer.from(text).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** Signs with a raw header text, so headers a JSON encoder would never produce can be tried. */
function signRaw(key: SigningKey, headerJson: string, payload: object): string {
  const input = `${b64(headerJson)}.${b64(JSON.stringify(payload))}`;
  const signature =
    key.alg === 'RS256'
      ? sign('sha256', Buffer.from(input), key.privateKey)
      : sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

let world: World;
before(async () => {
  world = await startWorld();
  await putAction(world.dynamo.client, { resourceOwner: ORG, id: ACTION });
  await putAction(world.dynamo.client, { resourceOwner: OTHER_ORG, id: ACTION });
  // Warm the key cache with a legitimate call that is rejected before storage (no permission).
  const warm = await call(world.handler, ACTION, { token: world.issuer.token(orgClaims(ORG)) });
  assert.equal(warm.status, 403);
});
after(async () => {
  const storageRequests = world.storageRequests.count;
  await world.close();
  // Across the whole suite, no hostile token produced a single DynamoDB request.
  assert.equal(storageRequests, 0);
});

const claims = () => ({
  iss: world.issuer.url,
  aud: [PROJECT_ID],
  sub: 'attacker',
  iat: now(),
  exp: now() + 3600,
  ...orgClaims(ORG, { ORG_OWNER: [ORG, OTHER_ORG] }),
});

async function expectRejected(token: string, orgHeader?: string) {
  const snapshot = await tableSnapshot(world.dynamo.client);
  const res = await call(world.handler, ACTION, { token, ...(orgHeader === undefined ? {} : { orgHeader }) });
  assert.equal(res.status, 401);
  assert.deepEqual(res.body, TOKEN_INVALID);
  assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot);
}

describe('token attacks are Unauthenticated (401) and never reach DynamoDB', () => {
  test('alg none, with and without a signature', async () => {
    const unsigned = `${b64(JSON.stringify({ alg: 'none', typ: 'JWT', kid: 'rsa-1' }))}.${b64(JSON.stringify(claims()))}`;
    await expectRejected(`${unsigned}.`);
    await expectRejected(`${unsigned}.${b64('x')}`);
  });

  test("algorithm confusion: HS256 signed with the issuer's public key as the HMAC secret", async () => {
    const header = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'rsa-1' }));
    const input = `${header}.${b64(JSON.stringify(claims()))}`;
    const publicPem = world.issuer.rsa.privateKey.export({ type: 'pkcs1', format: 'pem' });
    for (const secret of [publicPem, JSON.stringify(world.issuer.rsa.publicJwk)]) {
      await expectRejected(`${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`);
    }
  });

  test('a token signed by another key claiming a known kid (RSA and EC)', async () => {
    await expectRejected(signRaw(generateSigningKey('rsa-1', 'RS256'), JSON.stringify({ alg: 'RS256', kid: 'rsa-1' }), claims()));
    await expectRejected(signRaw(generateSigningKey('ec-1', 'ES256'), JSON.stringify({ alg: 'ES256', kid: 'ec-1' }), claims()));
  });

  test('an EC token presented as RS256 with the RSA kid (and the reverse)', async () => {
    await expectRejected(signRaw(world.issuer.ec, JSON.stringify({ alg: 'RS256', kid: 'rsa-1' }), claims()));
    await expectRejected(signRaw(world.issuer.rsa, JSON.stringify({ alg: 'ES256', kid: 'ec-1' }), claims()));
  });

  test('an RSA key shorter than 2048 bits, even when the key set publishes it', async () => {
    const weak = generateSigningKey('weak-1024', 'RS256', 1024);
    world.issuer.state.keys.push(weak);
    try {
      await expectRejected(world.issuer.token(claims(), { key: weak }));
    } finally {
      world.issuer.state.keys.pop();
    }
  });

  test('the payload changed after signing (organisation and roles swapped)', async () => {
    const [header, , signature] = world.issuer.token(orgClaims(ORG, { ORG_OWNER: [ORG] })).split('.');
    const forged = b64(JSON.stringify({ ...claims(), ...orgClaims(OTHER_ORG, { IAM_OWNER: [OTHER_ORG] }) }));
    await expectRejected(`${header}.${forged}.${signature}`, OTHER_ORG);
  });

  test('the header changed after signing (kid swapped to the EC key)', async () => {
    const [, payload, signature] = world.issuer.token(claims()).split('.');
    await expectRejected(`${b64(JSON.stringify({ alg: 'ES256', kid: 'ec-1' }))}.${payload}.${signature}`);
  });

  test('header or payload that is not base64url, or not JSON', async () => {
    const [header, payload, signature] = world.issuer.token(claims()).split('.');
    await expectRejected(`${header}.@@@not-base64@@@.${signature}`);
    await expectRejected(`*${header}.${payload}.${signature}`);
    await expectRejected(`${b64('not json')}.${payload}.${signature}`);
    await expectRejected(`${header}.${b64('not json')}.${signature}`);
    await expectRejected(`${header}.${b64('[1,2,3]')}.${signature}`);
    await expectRejected(`${header}.${payload}.${signature}.extra`);
  });

  test('a duplicated kid in the header, whichever one comes last', async () => {
    await expectRejected(signRaw(world.issuer.rsa, '{"alg":"RS256","kid":"unknown","kid":"rsa-1","typ":"JWT"}', claims()));
    await expectRejected(signRaw(world.issuer.rsa, '{"alg":"RS256","kid":"rsa-1","kid":"unknown"}', claims()));
    await expectRejected(signRaw(world.issuer.rsa, '{"alg":"RS256","kid":"rsa-1","k\\u0069d":"rsa-1"}', claims()));
  });

  test('a missing, empty or non-string kid', async () => {
    await expectRejected(signRaw(world.issuer.rsa, '{"alg":"RS256","typ":"JWT"}', claims()));
    await expectRejected(signRaw(world.issuer.rsa, '{"alg":"RS256","kid":""}', claims()));
    await expectRejected(signRaw(world.issuer.rsa, '{"alg":"RS256","kid":["rsa-1"]}', claims()));
  });

  test('iss with a trailing slash or in another case', async () => {
    await expectRejected(world.issuer.token({ ...claims(), iss: `${world.issuer.url}/` }));
    await expectRejected(world.issuer.token({ ...claims(), iss: world.issuer.url.toUpperCase() }));
    await expectRejected(world.issuer.token({ ...claims(), iss: undefined }));
  });

  test('aud missing, empty, or only another project', async () => {
    await expectRejected(world.issuer.token({ ...claims(), aud: undefined }));
    await expectRejected(world.issuer.token({ ...claims(), aud: [] }));
    await expectRejected(world.issuer.token({ ...claims(), aud: '' }));
    await expectRejected(world.issuer.token({ ...claims(), aud: ['999999999999999999', 'other@project'] }));
  });

  test('exp past the allowed clock skew, nbf in the future, exp not a number', async () => {
    await expectRejected(world.issuer.token({ ...claims(), exp: now() - 11 }));
    await expectRejected(world.issuer.token({ ...claims(), nbf: now() + 60 }));
    await expectRejected(world.issuer.token({ ...claims(), exp: String(now() + 3600) }));
  });

  test('an ID token of the same project (same iss and aud) is not an access token', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const idTokenClaims of [
      { auth_time: now - 60, amr: ['pwd'], acr: '0' },
      { nonce: 'n-0S6_WzA2Mj' },
      { at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q' },
    ]) {
      await expectRejected(world.issuer.token({ ...claims(), ...idTokenClaims }));
    }
  });

  test('an enormous token (64 KB) is refused before any parsing', async () => {
    const huge = world.issuer.token({ ...claims(), padding: 'x'.repeat(64 * 1024) });
    const fetches = world.issuer.state.fetches;
    await expectRejected(huge);
    assert.equal(world.issuer.state.fetches, fetches);
  });
});

describe('a key set that answers with garbage', () => {
  for (const [name, body] of [
    ['not JSON', 'this is not json'],
    ['keys not an array', '{"keys":"rsa-1"}'],
    ['a key without modulus', '{"keys":[{"kty":"RSA","kid":"rsa-1","alg":"RS256","use":"sig","e":"AQAB"}]}'],
  ]) {
    test(`key set ${name}: 401, nothing written`, async () => {
      const broken = await startWorld();
      try {
        await putAction(broken.dynamo.client, { resourceOwner: ORG, id: ACTION });
        const snapshot = await tableSnapshot(broken.dynamo.client);
        broken.issuer.state.answer = { status: 200, body: body! };
        const token = broken.issuer.token(orgClaims(ORG, { ORG_OWNER: [ORG] }));
        const res = await call(broken.handler, ACTION, { token });
        assert.equal(broken.issuer.state.fetches, 1, 'the key set was fetched');
        assert.equal(res.status, 401);
        assert.deepEqual(res.body, TOKEN_INVALID);
        assert.equal(broken.storageRequests.count, 0);
        assert.deepEqual(await tableSnapshot(broken.dynamo.client), snapshot);
      } finally {
        await broken.close();
      }
    });
  }
});
