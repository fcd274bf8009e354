/**
 * Mutation-audit survivor (issue 20): the year-9999 bound on `exp`/`nbf`/`iat` (jwt-precheck.ts,
 * 253402300799 = 9999-12-31T23:59:59Z) raised 1000× passed every test, which used only ±1e300. Then
 * `nbf: 1e13` answered 500 (the verifier's message builds an unprintable Date) and `exp: 1e13` was accepted.
 * Here the boundary itself: exactly at it is a date like any other, one second above is a bad token (401).
 * Claims mode (a loopback issuer, real keys, dynalite); zitadel mode verifies JWTs with the same verifier.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, zitadelError } from '../support/api.ts';
import { putAction, tableSnapshot } from '../support/dynamodb.ts';
import { orgClaims } from '../support/issuer.ts';
import { startWorld, type World } from '../support/setup.ts';

const ORG = '69629023906488334';
const LAST_SECOND_OF_9999 = 253_402_300_799;
const TOKEN_INVALID = zitadelError(16, 'AUTH-7fs1e', 'Errors.Token.Invalid');

let world: World;
let next = 0;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

/** Calls with an ORG_OWNER token carrying `claims`; returns the answer and whether the table changed. */
async function callWith(claims: Record<string, unknown>) {
  const id = `5100000000000${String(++next).padStart(5, '0')}`;
  await putAction(world.dynamo.client, { resourceOwner: ORG, id });
  const before = await tableSnapshot(world.dynamo.client);
  const res = await call(world.handler, id, { token: world.issuer.token({ ...orgClaims(ORG, { ORG_OWNER: [ORG] }), ...claims }) });
  const changed = JSON.stringify(await tableSnapshot(world.dynamo.client)) !== JSON.stringify(before);
  return { res, changed };
}

async function expectTokenInvalid(claims: Record<string, unknown>) {
  const { res, changed } = await callWith(claims);
  assert.equal(res.status, 401, JSON.stringify(res.body));
  assert.deepEqual(res.body, TOKEN_INVALID);
  assert.equal(changed, false, 'nothing written');
}

describe('exp, nbf and iat at the year-9999 boundary', () => {
  test('exp exactly at 9999-12-31T23:59:59Z is a valid (far) expiry: 200, written', async () => {
    const { res, changed } = await callWith({ exp: LAST_SECOND_OF_9999 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(changed, true);
  });

  test('iat exactly at the boundary is a printable date: accepted (iat is not compared with the clock), 200', async () => {
    const { res } = await callWith({ iat: LAST_SECOND_OF_9999 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  test('nbf exactly at the boundary: not yet valid, 401 (not 500)', () => expectTokenInvalid({ nbf: LAST_SECOND_OF_9999 }));

  for (const claim of ['exp', 'nbf', 'iat']) {
    test(`${claim} one second above the boundary: 401, nothing written`, () => expectTokenInvalid({ [claim]: LAST_SECOND_OF_9999 + 1 }));
  }

  test('nbf: 1e13 is a bad token (401), not a 500', () => expectTokenInvalid({ nbf: 1e13 }));
  test('exp: 1e13 is a bad token (401), not a token valid for ever', () => expectTokenInvalid({ exp: 1e13 }));
  test('iat: 1e13 is a bad token (401)', () => expectTokenInvalid({ iat: 1e13 }));
});
