import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { call } from './support/api.ts';
import { putAction, TABLE, tableSnapshot } from './support/dynamodb.ts';
import { orgClaims } from './support/issuer.ts';
import { ENGINES } from './support/engines.ts';
import { cases } from './support/heavy.ts';
import { startWorld, type World } from './support/setup.ts';

// The world of the engine whose suite is running (suites run one after the other).
let world: World;

const ORGS = ['100000000000000001', '100000000000000002', '100000000000000003', '100000000000000004', '100000000000000005'];
const IDS = ['200000000000000001', '200000000000000002', '200000000000000003'];
const ROLES = ['ORG_OWNER', 'IAM_OWNER', 'ORG_USER_MANAGER', 'PROJECT_OWNER'];

type State = Map<string, { state: string; sequence: number }>;
const key = (org: string, id: string) => `${org}/${id}`;

async function storedState(): Promise<State> {
  const items = await tableSnapshot(world.dynamo.client);
  return new Map(items.map((i) => [key(i.resourceOwner!.S!, i.id!.S!), { state: i.state!.S!, sequence: Number(i.sequence!.N) }]));
}

/** The actions the last run put (the only items there can be). */
let present: readonly (readonly [string, string])[] = [];
async function emptyTable() {
  await Promise.all(
    present.map(([org, id]) => world.dynamo.client.send(new DeleteItemCommand({ TableName: TABLE, Key: { resourceOwner: { S: org }, id: { S: id } } }))),
  );
  present = [];
}

for (const engine of ENGINES) {
  describe(engine.name, { skip: engine.skip }, () => {
    before(async () => {
      world = await startWorld({}, { engine });
      present = [];
    });
    after(() => world.close());

    describe('organisation isolation', () => {
      test('no call ever changes an action outside the organisation it was authorised for', async () => {
        const request = fc.record({
          userOrg: fc.constantFrom(...ORGS),
          roles: fc.dictionary(fc.constantFrom(...ROLES), fc.subarray(ORGS), { maxKeys: 3 }),
          header: fc.option(fc.constantFrom(...ORGS), { nil: undefined }),
          id: fc.constantFrom(...IDS),
        });
        await fc.assert(
          fc.asyncProperty(
            // Which actions exist in which organisation (active or not), then a sequence of calls.
            fc.subarray(ORGS.flatMap((o) => IDS.map((i) => [o, i] as const)), { minLength: 1 }),
            fc.array(fc.boolean(), { minLength: 15, maxLength: 15 }),
            fc.array(request, { minLength: 1, maxLength: 8 }),
            async (existing, activeFlags, requests) => {
              // Only the actions put here can exist: the API never creates an item.
              await emptyTable();
              await Promise.all(
                existing.map(([org, id], n) =>
                  putAction(world.dynamo.client, { resourceOwner: org, id, state: activeFlags[n] ? 'ACTIVE' : 'INACTIVE', sequence: 1 }),
                ),
              );
              present = existing;
              // The model: what the table must hold after the calls.
              const model: State = new Map(existing.map(([org, id], n) => [key(org, id), { state: activeFlags[n] ? 'ACTIVE' : 'INACTIVE', sequence: 1 }]));

              for (const { userOrg, roles, header, id } of requests) {
                const target = header ?? userOrg;
                const res = await call(world.handler, id, { token: world.issuer.token(orgClaims(userOrg, roles)), orgHeader: header });

                const allowed = (roles.ORG_OWNER ?? []).includes(target) || roles.IAM_OWNER !== undefined;
                const current = model.get(key(target, id));
                const expected = !allowed ? 403 : current === undefined ? 404 : current.state === 'ACTIVE' ? 200 : 400;
                assert.equal(res.status, expected, JSON.stringify({ userOrg, roles, header, id, body: res.body }));
                if (res.status === 200) {
                  assert.equal(res.body.details.resourceOwner, target);
                  model.set(key(target, id), { state: 'INACTIVE', sequence: current!.sequence + 1 });
                }
              }
              // A stray write cannot be undone by a later call (nothing reactivates; a later
              // legitimate call on it would have been refused above): one check after the calls.
              assert.deepEqual(await storedState(), model, 'only the authorised organisation’s action may change');
            },
          ),
          { numRuns: cases(150, 40) },
        );
      });
    });

    describe('load', () => {
      test('200 calls, 10 concurrent on each of 20 actions: exactly 20 successes, each action INACTIVE with sequence + 1', async () => {
        const org = '300000000000000001';
        const ids = Array.from({ length: 20 }, (_, i) => `40000000000000${String(i).padStart(4, '0')}`);
        for (const id of ids) await putAction(world.dynamo.client, { resourceOwner: org, id, sequence: 3 });
        const token = world.issuer.token(orgClaims(org, { ORG_OWNER: [org] }));

        // Ten calls in flight at a time, all ten on the same action: each action is raced by ten
        // concurrent calls. (More in flight would only queue inside the client, whose 500 ms
        // connection timeout a loaded test machine then trips, not DynamoDB.)
        const results: Awaited<ReturnType<typeof call>>[] = [];
        for (let wave = 0; wave < 20; wave++) {
          results.push(...(await Promise.all(Array.from({ length: 10 }, () => call(world.handler, ids[wave]!, { token })))));
        }

        assert.equal(results.filter((r) => r.status === 200).length, 20);
        assert.ok(results.every((r) => r.status === 200 || (r.status === 400 && r.body.code === 9)), JSON.stringify(results.filter((r) => r.status !== 200 && r.status !== 400).slice(0, 3)));
        const state = await storedState();
        for (const id of ids) assert.deepEqual(state.get(key(org, id)), { state: 'INACTIVE', sequence: 4 });
      });
    });
  });
}
