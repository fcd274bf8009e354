/**
 * Mutation-audit survivors of the decision cache (functions/auth/decision-cache.ts, zitadel-authorizer.ts;
 * issue 20). Costs are counted at the dev ZITADEL (a real HTTP server): one lookup is two Auth API requests.
 * Time is real (the code takes no clock); the one test that must see an expiry waits the 5 s it is about.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DecisionCache } from '../../functions/auth/decision-cache.ts';
import { NEGATIVE_CACHE_SECONDS } from '../../functions/auth/zitadel-authorizer.ts';
import { call, zitadelError } from '../support/api.ts';
import { putAction, tableSnapshot } from '../support/dynamodb.ts';
import { startZitadelWorld, type ZitadelWorld } from '../support/zitadel-world.ts';

const ORG = '310000000000000001';
const OWNER = '320000000000000001';
const TOKEN_INVALID = zitadelError(16, 'AUTH-7fs1e', 'Errors.Token.Invalid');
const ORG_UNKNOWN = zitadelError(7, 'AUTH-Bs7Ds', "Organisation doesn't exist");

let world: ZitadelWorld;
let nextAction = 0;
before(async () => {
  world = await startZitadelWorld({ cacheSeconds: 30 });
  world.zitadel.addOrganization(ORG, 'a');
  world.zitadel.addUser({ id: OWNER, orgId: ORG });
  world.zitadel.addMembership(OWNER, { role: 'ORG_OWNER', orgId: ORG });
});
after(() => world.close());

async function newAction(org = ORG): Promise<string> {
  const id = `34000000000000${String(++nextAction).padStart(4, '0')}`;
  await putAction(world.dynamo.client, { resourceOwner: org, id, sequence: 1 });
  return id;
}

/** A refused call: status and body as ZITADEL's, the table unchanged. */
async function expectRefused(options: Parameters<typeof call>[2], status: number, body: object) {
  const id = await newAction();
  const snapshot = await tableSnapshot(world.dynamo.client);
  const res = await call(world.handler, id, options);
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.deepEqual(res.body, body);
  assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot, 'nothing written');
}

describe('decisions on JWT access tokens are cached too', () => {
  test('a JWT used twice costs one lookup (2 ZITADEL requests), not two', async () => {
    const token = world.zitadel.issueJwt(OWNER); // valid for the dev ZITADEL's default hour: exp is in seconds
    const before = world.zitadelRequests();
    for (let i = 0; i < 2; i++) {
      const res = await call(world.handler, await newAction(), { token });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    assert.equal(world.zitadelRequests() - before, 2);
  });
});

describe('ZITADEL’s refusals are cached briefly (the negative cache)', () => {
  test('an unknown token refused twice costs one lookup (2 ZITADEL requests)', async () => {
    const token = 'unknownOpaqueTokenNegativeCache0123456789abcdef';
    const before = world.zitadelRequests();
    await expectRefused({ token }, 401, TOKEN_INVALID);
    await expectRefused({ token }, 401, TOKEN_INVALID);
    assert.equal(world.zitadelRequests() - before, 2);
  });

  test(`a refusal is kept at most ${NEGATIVE_CACHE_SECONDS} s, not the 30 s of a decision: an organisation created after a 403 is usable once they pass`, async () => {
    const org = '310000000000000099';
    const token = world.zitadel.createPat(OWNER);
    const refusedAt = Date.now();
    await expectRefused({ token, orgHeader: org }, 403, ORG_UNKNOWN);
    // The organisation now exists and the owner is its member; the cached refusal still answers for a while.
    world.zitadel.addOrganization(org, 'late');
    world.zitadel.addMembership(OWNER, { role: 'ORG_OWNER', orgId: org });
    await expectRefused({ token, orgHeader: org }, 403, ORG_UNKNOWN);

    await new Promise((resolve) => setTimeout(resolve, refusedAt + NEGATIVE_CACHE_SECONDS * 1_000 + 250 - Date.now()));
    const id = await newAction(org);
    const res = await call(world.handler, id, { token, orgHeader: org });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.details.resourceOwner, org);
  });
});

describe('DecisionCache: least recently used goes first', () => {
  test('touching the oldest entry before inserting into a full cache keeps it; the next oldest goes', async () => {
    const cache = new DecisionCache<string>(3);
    const lookups: string[] = [];
    const get = (key: string) =>
      cache.get(
        key,
        () => {
          lookups.push(key);
          return Promise.resolve(`value of ${key}`);
        },
        () => Date.now() + 60_000,
      );
    for (const key of ['a', 'b', 'c']) await get(key);
    assert.deepEqual(await get('a'), { ok: true, value: 'value of a' }); // a hit: a is now the most recent
    await get('d'); // full: evicts the least recently used, b
    lookups.length = 0;
    await get('a');
    await get('c');
    await get('d');
    assert.deepEqual(lookups, [], 'a (touched), c and d are still cached');
    await get('b');
    assert.deepEqual(lookups, ['b'], 'b was evicted');
  });
});
