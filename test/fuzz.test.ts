import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { AUTH_HEADER_MISSING, call, type CallResult } from './support/api.ts';
import { putAction, tableSnapshot } from './support/dynamodb.ts';
import { orgClaims } from './support/issuer.ts';
import { cases } from './support/heavy.ts';
import { startWorld, type World } from './support/setup.ts';

/**
 * Property-based tests: whatever arrives, the answer is a well-formed ZITADEL error or the 200
 * body, never a 5xx, and the table changes only by the one action a successful call deactivated.
 */
const ORG = '69629023906488334';
const KNOWN_IDS = ['69629023906488999', 'a', 'x'.repeat(200), 'ä-ü-ß', '0'];

let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

const ERROR_CODES = new Set([3, 5, 7, 9, 16]);

function assertWellFormed(res: CallResult) {
  assert.ok(res.status < 500, `never a 5xx, got ${res.status}: ${JSON.stringify(res.body)}`);
  assert.equal(res.headers['content-type'], 'application/json');
  if (res.status === 200) {
    const { details } = res.body;
    assert.deepEqual(Object.keys(res.body), ['details']);
    assert.match(details.sequence, /^\d+$/);
    assert.ok(!Number.isNaN(Date.parse(details.creationDate)));
    assert.deepEqual(Object.keys(details).sort(), ['creationDate', 'resourceOwner', 'sequence']);
    return;
  }
  assert.ok(ERROR_CODES.has(res.body.code), `unexpected code ${res.body.code}`);
  // Plain statuses without id and without details (the gateway leaves the empty list out): no Authorization
  // header at all, or a body protojson does not decode.
  if (res.body.details === undefined) {
    if (res.body.code === 16) assert.deepEqual(res.body, AUTH_HEADER_MISSING);
    else assert.match(res.body.message, /^proto: (syntax error )?\(line \d+:\d+\): /);
    return;
  }
  assert.equal(res.body.details.length, 1);
  const [detail] = res.body.details;
  assert.equal(detail['@type'], 'type.googleapis.com/zitadel.v1.ErrorDetail');
  assert.match(detail.id, /^[A-Z]+-[A-Za-z0-9]{5}$/);
  assert.equal(res.body.message, `${detail.message} (${detail.id})`);
}

type Snapshot = Awaited<ReturnType<typeof tableSnapshot>>;
const keyOf = (item: Snapshot[number]) => `${item.resourceOwner?.S}/${item.id?.S}`;

/** The items that differ between two snapshots, by key. */
function changedKeys(before: Snapshot, after: Snapshot): string[] {
  const old = new Map(before.map((i) => [keyOf(i), JSON.stringify(i)]));
  assert.equal(after.length, before.length, 'no item is ever created or deleted');
  return after.filter((i) => old.get(keyOf(i)) !== JSON.stringify(i)).map(keyOf);
}

const anyString = (maxLength: number) =>
  fc.oneof(
    fc.string({ maxLength, unit: 'binary' }),
    fc.string({ maxLength, unit: 'grapheme-composite' }),
    fc.string({ maxLength, unit: fc.constantFrom('/', '\u0000', '\n', '\u007f', '\u0085', '%', '.', ' ', 'a', '9') }),
  );

/**
 * The id rules, restated independently of the code: ZITADEL has none but "not found"; an id no stored action can
 * have (over DynamoDB's 1024-byte sort key in UTF-8, a C0, DEL or C1 control character, ill-formed UTF-16) is
 * answered NotFound without a lookup.
 */
function idVerdict(id: string): 'missing' | 'cannot-exist' | 'ok' {
  if (id === '') return 'missing';
  if (!id.isWellFormed() || Buffer.byteLength(id, 'utf8') > 1024) return 'cannot-exist';
  for (const ch of id) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return 'cannot-exist';
  }
  return 'ok';
}

/** Whatever else happened: a 200 was only possible for an id that can exist. */
function assertIdVerdict(id: string, res: CallResult) {
  const context = `${JSON.stringify(id)} (${id.length} UTF-16 units, ${Array.from(id).length} code points) → ${res.status} ${JSON.stringify(res.body)}`;
  if (res.status === 200) assert.equal(idVerdict(id), 'ok', context);
}

/** Ids near the rules' edges: long in UTF-16 but not in code points, C1 controls, about 200 characters. */
const edgeIds = fc.oneof(
  fc.string({ unit: fc.constantFrom('😀', '𝔸', 'a'), minLength: 150, maxLength: 210 }),
  fc.string({ unit: fc.constantFrom('a', '9', '\u0080', '\u0085', '\u009f', '\u00a0', '\u007e'), minLength: 1, maxLength: 20 }),
  fc.integer({ min: 195, max: 205 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 1020, max: 1028 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 508, max: 516 }).map((n) => 'ä'.repeat(n)),
);

describe('fuzzed requests', () => {
  test('ids, headers and bodies: well-formed answers, no 5xx, no stray writes', async () => {
    const token = world.issuer.token(orgClaims(ORG, { ORG_OWNER: [ORG] }));
    const otherToken = world.issuer.token(orgClaims(ORG, { ORG_OWNER: ['someone-else'] }));
    // The known actions, active. A call that deactivates one puts it back; every call is checked
    // against one scan of the table, the snapshot of the known actions as put.
    const putKnown = (id: string) => putAction(world.dynamo.client, { resourceOwner: ORG, id, sequence: 5 });
    for (const known of KNOWN_IDS) await putKnown(known);
    const before = await tableSnapshot(world.dynamo.client);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...KNOWN_IDS), anyString(260), edgeIds),
        fc.option(fc.oneof(fc.constant(ORG), anyString(300), fc.string({ minLength: 2000, maxLength: 6000 })), { nil: undefined }),
        fc.option(fc.oneof(fc.json(), anyString(50), fc.constantFrom('', '{}', '[]', 'null', '{"id":1}')), { nil: undefined }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }).map((s) => s.toLowerCase()), anyString(100), { maxKeys: 4 }),
        fc.constantFrom(token, token, otherToken),
        async (id, orgHeader, body, extraHeaders, bearer) => {
          const headers = Object.fromEntries(Object.entries(extraHeaders).filter(([k]) => !['authorization', 'x-zitadel-orgid'].includes(k)));
          const res = await call(world.handler, id, { token: bearer, orgHeader, body, headers });
          try {
            assertWellFormed(res);
            assertIdVerdict(id, res);
            const changed = changedKeys(before, await tableSnapshot(world.dynamo.client));
            if (res.status === 200) {
              assert.deepEqual(changed, [`${ORG}/${id}`]);
              assert.equal(res.body.details.sequence, '6');
            } else {
              assert.deepEqual(changed, []);
            }
          } finally {
            if (res.status === 200) await putKnown(id);
          }
        },
      ),
      { numRuns: cases(2500, 250) },
    );
  });

  test('ids alone (valid token, own organisation, empty body): exactly the answer the id rules give', async () => {
    // An organisation without actions: every valid id is NotFound.
    const empty = '69629023906400000';
    const token = world.issuer.token(orgClaims(empty, { ORG_OWNER: [empty] }));
    const expected = {
      missing: [400, 'COMMAND-DAhk5'],
      'cannot-exist': [404, 'COMMAND-NRmhu'],
      ok: [404, 'COMMAND-NRmhu'],
    } as const;
    await fc.assert(
      fc.asyncProperty(fc.oneof(edgeIds, anyString(1100)), async (id) => {
        const sent = world.storageRequests.count;
        const res = await call(world.handler, id, { token });
        const verdict = idVerdict(id);
        const [status, errorId] = expected[verdict];
        const context = `${JSON.stringify(id)} (${id.length} UTF-16 units, ${Buffer.byteLength(id)} bytes)`;
        assert.deepEqual([res.status, res.body.details?.[0]?.id], [status, errorId], context);
        // Only an id that can exist is looked up.
        assert.equal(world.storageRequests.count > sent, verdict === 'ok', context);
      }),
      { numRuns: cases(500, 100) },
    );
  });

  test('fuzzed Authorization headers: always 401, never a write', async () => {
    const valid = world.issuer.token(orgClaims(ORG, { ORG_OWNER: [ORG] }));
    await putAction(world.dynamo.client, { resourceOwner: ORG, id: KNOWN_IDS[0]! });
    const before = await tableSnapshot(world.dynamo.client);
    const requestsBefore = world.storageRequests.count;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          anyString(200),
          anyString(200).map((s) => `Bearer ${s}`),
          // A valid token with one character changed, inserted or removed.
          // Not the signature's last character: its low bits are padding, so a change there may decode
          // to the very same signature.
          fc.tuple(fc.nat(valid.length - 2), fc.constantFrom('A', '.', '-', '_', '')).map(([at, c]) => {
            const mutated = valid.slice(0, at) + c + valid.slice(at + 1);
            return `Bearer ${mutated === valid ? `${valid}x` : mutated}`;
          }),
        ),
        async (authorization) => {
          const res = await call(world.handler, KNOWN_IDS[0]!, { authorization });
          assertWellFormed(res);
          assert.equal(res.status, 401);
        },
      ),
      { numRuns: cases(1000, 150) },
    );
    assert.equal(world.storageRequests.count, requestsBefore);
    assert.deepEqual(await tableSnapshot(world.dynamo.client), before);
  });
});
