import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { call, undecodable, zitadelError } from './support/api.ts';
import { CREATED, putAction, tableSnapshot, type ActionSeed } from './support/dynamodb.ts';
import { ORG_CLAIM, orgClaims, ROLES_CLAIM } from './support/issuer.ts';
import { ENGINES } from './support/engines.ts';
import { NOW, startWorld, type World } from './support/setup.ts';

const ORG_A = '69629023906488334';
const ORG_B = '71111111111111111';
const ACTION = '69629023906488999';

const NOT_FOUND = zitadelError(5, 'COMMAND-NRmhu', 'Action not found');
const NOT_ACTIVE = zitadelError(9, 'COMMAND-Dgj92', 'Action is not active');
const PERMISSION_DENIED = zitadelError(7, 'AUTH-5mWD2', 'No matching permissions found');
const ID_MISSING = zitadelError(3, 'COMMAND-DAhk5', 'ID missing');

// The world of the engine whose suite is running (suites run one after the other).
let world: World;

/** A token of a user of ORG_A who owns ORG_A (and whatever else is given). */
const ownerOfA = (roles: Record<string, string[]> = { ORG_OWNER: [ORG_A] }, org = ORG_A) =>
  world.issuer.token(orgClaims(org, roles));

async function storedAction(org: string, id: string) {
  const { Item } = await world.dynamo.client.send(
    new GetItemCommand({ TableName: 'actions', Key: { resourceOwner: { S: org }, id: { S: id } }, ConsistentRead: true }),
  );
  return Item;
}

/** Calls the endpoint expecting a rejection: asserts status, body and that the table did not change. */
async function expectRejected(
  id: string,
  options: Parameters<typeof call>[2],
  status: number,
  body: object,
) {
  const before = await tableSnapshot(world.dynamo.client);
  const res = await call(world.handler, id, options);
  assert.equal(res.status, status);
  assert.deepEqual(res.body, body);
  assert.equal(res.headers['content-type'], 'application/json');
  assert.deepEqual(await tableSnapshot(world.dynamo.client), before, 'the table must not change');
  return res;
}

for (const engine of ENGINES) {
  describe(engine.name, { skip: engine.skip }, () => {
    before(async () => {
      world = await startWorld({}, { engine });
    });
    after(() => world.close());

    describe('deactivating an action', () => {
      beforeEach(async () => {
        await putAction(world.dynamo.client, { resourceOwner: ORG_A, id: ACTION, sequence: 1 });
        await putAction(world.dynamo.client, { resourceOwner: ORG_B, id: ACTION, sequence: 7 });
      });

      test('an active action becomes inactive: 200 with ZITADEL’s details (creationDate = this change, no changeDate), stored state, sequence + 1, change date and who', async () => {
        const res = await call(world.handler, ACTION, { token: ownerOfA() });

        assert.equal(res.status, 200);
        assert.equal(res.headers['content-type'], 'application/json');
        assert.deepEqual(res.body, {
          details: { sequence: '2', creationDate: NOW.toISOString(), resourceOwner: ORG_A },
        });
        const stored = await storedAction(ORG_A, ACTION);
        assert.equal(stored?.state?.S, 'INACTIVE');
        assert.equal(stored?.sequence?.N, '2');
        assert.equal(stored?.changeDate?.S, NOW.toISOString());
        assert.equal(stored?.changedBy?.S, 'user-1');
        // Nothing else about the action is touched.
        assert.equal(stored?.creationDate?.S, CREATED);
        assert.equal(stored?.name?.S, `action ${ACTION}`);
        assert.equal(stored?.timeout?.S, '10s');
        assert.equal(stored?.allowedToFail?.BOOL, true);
        // The same id in another organisation is a different action and stays as it was.
        assert.equal((await storedAction(ORG_B, ACTION))?.state?.S, 'ACTIVE');
      });

      test('a warm request costs exactly one DynamoDB request', async () => {
        const token = ownerOfA();
        const before = world.storageRequests.count;
        assert.equal((await call(world.handler, ACTION, { token })).status, 200);
        assert.equal(world.storageRequests.count - before, 1);
      });

      test('an action that does not exist is NotFound (404)', async () => {
        await expectRejected('12345', { token: ownerOfA() }, 404, NOT_FOUND);
      });

      test('an inactive action is FailedPrecondition (400) and keeps its sequence', async () => {
        await putAction(world.dynamo.client, { resourceOwner: ORG_A, id: 'inactive-1', state: 'INACTIVE', sequence: 4 });
        await expectRejected('inactive-1', { token: ownerOfA() }, 400, NOT_ACTIVE);
        assert.equal((await storedAction(ORG_A, 'inactive-1'))?.sequence?.N, '4');
      });

      test('deactivating twice: the second call is FailedPrecondition', async () => {
        const token = ownerOfA();
        assert.equal((await call(world.handler, ACTION, { token })).status, 200);
        await expectRejected(ACTION, { token }, 400, NOT_ACTIVE);
        assert.equal((await storedAction(ORG_A, ACTION))?.sequence?.N, '2');
      });

      test("another organisation's action is invisible: NotFound, nothing written", async () => {
        await putAction(world.dynamo.client, { resourceOwner: ORG_B, id: 'only-in-b' });
        await expectRejected('only-in-b', { token: ownerOfA() }, 404, NOT_FOUND);
        assert.equal((await storedAction(ORG_B, 'only-in-b'))?.state?.S, 'ACTIVE');
      });

      test('x-zitadel-orgid selects the organisation; without it the caller’s own organisation is used', async () => {
        const token = ownerOfA({ ORG_OWNER: [ORG_A, ORG_B] });

        const inB = await call(world.handler, ACTION, { token, orgHeader: ORG_B });
        assert.equal(inB.status, 200);
        assert.deepEqual(inB.body.details, {
          sequence: '8',
          creationDate: NOW.toISOString(),
          resourceOwner: ORG_B,
        });
        assert.equal((await storedAction(ORG_B, ACTION))?.state?.S, 'INACTIVE');
        assert.equal((await storedAction(ORG_A, ACTION))?.state?.S, 'ACTIVE');

        const inOwnOrg = await call(world.handler, ACTION, { token });
        assert.equal(inOwnOrg.status, 200);
        assert.equal(inOwnOrg.body.details.resourceOwner, ORG_A);
        assert.equal((await storedAction(ORG_A, ACTION))?.state?.S, 'INACTIVE');
      });

      test('an empty x-zitadel-orgid header means the caller’s own organisation', async () => {
        const res = await call(world.handler, ACTION, { token: ownerOfA(), orgHeader: '' });
        assert.equal(res.status, 200);
        assert.equal(res.body.details.resourceOwner, ORG_A);
      });
    });

    describe('permissions', () => {
      beforeEach(async () => {
        await putAction(world.dynamo.client, { resourceOwner: ORG_A, id: ACTION });
        await putAction(world.dynamo.client, { resourceOwner: ORG_B, id: ACTION });
      });

      test('ORG_OWNER of another organisation only: PermissionDenied (403), nothing written', async () => {
        await expectRejected(ACTION, { token: ownerOfA(), orgHeader: ORG_B }, 403, PERMISSION_DENIED);
      });

      test('a role without org.action.write: PermissionDenied (403)', async () => {
        const token = ownerOfA({ ORG_USER_MANAGER: [ORG_A], PROJECT_VIEWER: [ORG_A] });
        await expectRejected(ACTION, { token }, 403, PERMISSION_DENIED);
      });

      test('no roles claim at all: PermissionDenied (403)', async () => {
        const token = world.issuer.token({ 'urn:zitadel:iam:user:resourceowner:id': ORG_A });
        await expectRejected(ACTION, { token }, 403, PERMISSION_DENIED);
      });

      // In the project's own roles claim (the only one read): a role whose value is not an organisation map
      // grants nothing, even an instance role (IAM_*), which would otherwise count in every organisation.
      for (const [name, claim] of [
        ['{"IAM_OWNER": true}', { IAM_OWNER: true }],
        ['{"IAM_OWNER": "yes"}', { IAM_OWNER: 'yes' }],
        ['an organisation list instead of a map', { ORG_OWNER: [ORG_A], IAM_OWNER: [ORG_A] }],
        ['{"ORG_OWNER": null}', { ORG_OWNER: null }],
        ['a list of role names', ['IAM_OWNER', 'ORG_OWNER']],
        ['a role name as a string', 'IAM_OWNER'],
      ] as const) {
        test(`a malformed roles claim grants nothing: ${name} in the project's roles claim is PermissionDenied (403), nothing written`, async () => {
          const token = world.issuer.token({ [ORG_CLAIM]: ORG_A, [ROLES_CLAIM]: claim });
          await expectRejected(ACTION, { token }, 403, PERMISSION_DENIED);
          await expectRejected(ACTION, { token, orgHeader: ORG_B }, 403, PERMISSION_DENIED);
        });
      }

      test('a permission check comes before the action is looked up: no permission, no NotFound', async () => {
        await expectRejected('does-not-exist', { token: ownerOfA(), orgHeader: ORG_B }, 403, PERMISSION_DENIED);
      });

      test('ORG_OWNER of the organisation named in the header is allowed', async () => {
        const res = await call(world.handler, ACTION, { token: ownerOfA({ ORG_OWNER: [ORG_B] }), orgHeader: ORG_B });
        assert.equal(res.status, 200);
        assert.equal((await storedAction(ORG_B, ACTION))?.state?.S, 'INACTIVE');
      });

      test('IAM_OWNER is allowed in every organisation of the instance', async () => {
        const token = ownerOfA({ IAM_OWNER: ['instance-org'] });
        const res = await call(world.handler, ACTION, { token, orgHeader: ORG_B });
        assert.equal(res.status, 200);
        assert.equal(res.body.details.resourceOwner, ORG_B);
        assert.equal((await storedAction(ORG_B, ACTION))?.state?.S, 'INACTIVE');
      });

      test('no organisation at all (no header, no organisation in the token): IDMissing', async () => {
        const token = world.issuer.token(orgClaims('', { IAM_OWNER: ['instance-org'] }));
        await expectRejected(ACTION, { token }, 400, ID_MISSING);
      });
    });

    describe('request validation (nothing is written)', () => {
      before(async () => {
        await putAction(world.dynamo.client, { resourceOwner: ORG_A, id: 'x'.repeat(200) });
      });

      test('an empty id is IDMissing', async () => {
        await expectRejected('', { token: ownerOfA() }, 400, ID_MISSING);
      });

      test('long ids are looked up as any id (ZITADEL has no length rule): 201 and 1024 bytes are found when they exist', async () => {
        await putAction(world.dynamo.client, { resourceOwner: ORG_A, id: 'y'.repeat(1024) });
        assert.equal((await call(world.handler, 'x'.repeat(200), { token: ownerOfA() })).status, 200);
        await expectRejected('x'.repeat(201), { token: ownerOfA() }, 404, NOT_FOUND);
        assert.equal((await call(world.handler, 'y'.repeat(1024), { token: ownerOfA() })).status, 200);
        await expectRejected('ä'.repeat(200), { token: ownerOfA() }, 404, NOT_FOUND);
      });

      for (const [name, id] of [
        ['longer than a DynamoDB sort key (1025 bytes)', 'x'.repeat(1025)],
        ['longer than a sort key in UTF-8 only (513 × ä)', 'ä'.repeat(513)],
        ['a control character', 'abc\u0001def'],
        ['a newline', 'abc\ndef'],
        ['DEL', 'abc\u007f'],
        ['a C1 control character', 'abc\u0085'],
        ['a lone surrogate', 'abc\ud800'],
      ]) {
        test(`an id no action can have (${name}) is ZITADEL's Action not found, and never sent to DynamoDB`, async () => {
          const sent = world.storageRequests.count;
          await expectRejected(id!, { token: ownerOfA() }, 404, NOT_FOUND);
          assert.equal(world.storageRequests.count, sent, 'no request to DynamoDB');
        });
      }

      test('an id no action can have is still checked after the permission (ZITADEL: interceptor first, then the command)', async () => {
        await expectRejected('abc\u0001', { token: ownerOfA({ ORG_OWNER: [ORG_B] }) }, 403, PERMISSION_DENIED);
      });

      test('an id with a slash is looked up like any other: not found', async () => {
        await expectRejected('abc/def', { token: ownerOfA() }, 404, NOT_FOUND);
      });

      for (const [name, orgHeader] of [
        ['control characters', `${ORG_A}\u0000`],
        ['a space', `${ORG_A} x`],
        ['over 200 characters', '9'.repeat(201)],
      ] as const) {
        test(`an x-zitadel-orgid no organisation can have (${name}) is ZITADEL's 403 Organisation doesn't exist, after the token`, async () => {
          const sent = world.storageRequests.count;
          await expectRejected(ACTION, { token: ownerOfA(), orgHeader }, 403, zitadelError(7, 'AUTH-Bs7Ds', "Organisation doesn't exist"));
          assert.equal(world.storageRequests.count, sent, 'no request to DynamoDB');
          await expectRejected(ACTION, { token: 'not-a-token', orgHeader }, 401, zitadelError(16, 'AUTH-7fs1e', 'Errors.Token.Invalid'));
        });
      }

      for (const [body, message] of [
        ['[]', 'proto: syntax error (line 1:1): unexpected token ['],
        ['"x"', 'proto: syntax error (line 1:1): unexpected token "x"'],
        ['1', 'proto: syntax error (line 1:1): unexpected token 1'],
        ['null', 'proto: syntax error (line 1:1): unexpected token null'],
        ['  true', 'proto: syntax error (line 1:1): unexpected token true'],
        ['[{}]', 'proto: syntax error (line 1:1): unexpected token ['],
        ['{"id": 5}', 'proto: (line 1:8): invalid value for string field id: 5'],
        ['{"id":true}', 'proto: (line 1:7): invalid value for string field id: true'],
        ['{"x":1,\n "id": {"a":1}}', 'proto: (line 2:8): invalid value for string field id: {'],
        ['{"id":[]}', 'proto: (line 1:7): invalid value for string field id: ['],
        ['{"id":"a","id":"b"}', 'proto: (line 1:11): duplicate field "id"'],
        ['{"id":null,"\\u0069d":"b"}', 'proto: (line 1:12): duplicate field "\\u0069d"'],
        // Go's json.Decoder reads the first value only: what follows it is never looked at.
        ['{"id": 5} not json', 'proto: (line 1:8): invalid value for string field id: 5'],
        ['[] {}', 'proto: syntax error (line 1:1): unexpected token ['],
      ] as const) {
        test(`a body protojson does not decode (${body}) is grpc-gateway's 400 InvalidArgument, without details`, async () => {
          await expectRejected(ACTION, { token: ownerOfA(), body }, 400, undecodable(message));
        });
      }

      test('the body is decoded before the token is checked (grpc-gateway decodes before the gRPC call)', async () => {
        await expectRejected(ACTION, { body: '{"id": 5}' }, 400, undecodable('proto: (line 1:8): invalid value for string field id: 5'));
        await expectRejected(ACTION, { token: 'not-a-token', body: 'not json' }, 400, zitadelError(3, 'REQUEST-B0dyj', 'Errors.Request.BodyMalformed'));
      });

      for (const body of ['not json', '{', '{"a":}']) {
        test(`a body that is not valid JSON (${body}) is InvalidArgument`, async () => {
          await expectRejected(ACTION, { token: ownerOfA(), body }, 400, zitadelError(3, 'REQUEST-B0dyj', 'Errors.Request.BodyMalformed'));
        });
      }
    });

    describe('bodies that are accepted', () => {
      beforeEach(async () => {
        await putAction(world.dynamo.client, { resourceOwner: ORG_A, id: ACTION });
      });

      for (const [name, body] of [
        ['no body', undefined],
        ['an empty body', ''],
        ['an object with unknown fields', '{"id":"other","unknown":{"nested":true}}'],
        ['an id of null (protojson leaves the field unset)', '{"id":null}'],
        ['trailing data after the object (Go\'s json.Decoder reads the first value only)', '{"id":"x"} not json {'],
        ['a __proto__ member (an unknown field, discarded)', '{"__proto__":{"x":1}}'],
        ['an id only inside unknown fields, next to strings with braces and quotes', '{"a":{"id":5},"b":"}\\"{[","c":[{"id":[]}],"id":"x"}'],
      ] as const) {
        test(`${name} is accepted`, async () => {
          const res = await call(world.handler, ACTION, { token: ownerOfA(), body });
          assert.equal(res.status, 200);
          assert.equal((await storedAction(ORG_A, ACTION))?.state?.S, 'INACTIVE');
        });
      }

      test('a base64-encoded JSON body (as API Gateway sends binary media) is accepted', async () => {
        const { deactivateEvent, lambdaContext } = await import('./support/api.ts');
        const event = { ...deactivateEvent(ACTION, { token: ownerOfA() }), body: Buffer.from('{}').toString('base64'), isBase64Encoded: true };
        const res = await world.handler(event, lambdaContext());
        assert.equal(res.statusCode, 200);
      });
    });

    describe('concurrency', () => {
      test('50 concurrent calls on one action: exactly one 200, the rest FailedPrecondition, sequence + 1 once', async () => {
        await putAction(world.dynamo.client, { resourceOwner: ORG_A, id: 'race', sequence: 10 });
        const token = ownerOfA();
        const results = await Promise.all(Array.from({ length: 50 }, () => call(world.handler, 'race', { token })));

        const ok = results.filter((r) => r.status === 200);
        assert.equal(ok.length, 1);
        assert.equal(ok[0]?.body.details.sequence, '11');
        for (const r of results.filter((r) => r.status !== 200)) {
          assert.equal(r.status, 400);
          assert.deepEqual(r.body, NOT_ACTIVE);
        }
        const stored = await storedAction(ORG_A, 'race');
        assert.equal(stored?.sequence?.N, '11');
        assert.equal(stored?.state?.S, 'INACTIVE');
      });
    });
    describe('what each answer costs in DynamoDB requests', () => {
      const consistentRead = { name: 'GetItemCommand', consistent: true };
      const costOf = async (id: string, expectedStatus: number) => {
        const from = world.storageRequests.commands.length;
        const res = await call(world.handler, id, { token: ownerOfA() });
        assert.equal(res.status, expectedStatus, JSON.stringify(res.body));
        return world.storageRequests.commands.slice(from).map(({ name, input }) =>
          name === 'GetItemCommand' ? { name, consistent: input.ConsistentRead === true } : { name, returnsOldItem: input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' },
        );
      };
      const update = { name: 'UpdateItemCommand', returnsOldItem: true };

      test('success: one UpdateItem', async () => {
        await putAction(world.dynamo.client, { resourceOwner: ORG_A, id: 'cost-ok' });
        assert.deepEqual(await costOf('cost-ok', 200), [update]);
      });

      test(
        engine.returnsOldItemOnConditionFailure
          ? 'NotActive: one UpdateItem, its failed condition returns the old item'
          : 'NotActive: UpdateItem, then one consistent read (this engine returns no old item)',
        async () => {
          await putAction(world.dynamo.client, { resourceOwner: ORG_A, id: 'cost-inactive', state: 'INACTIVE' });
          const expected = engine.returnsOldItemOnConditionFailure ? [update] : [update, consistentRead];
          assert.deepEqual(await costOf('cost-inactive', 400), expected);
        },
      );

      test('NotFound: UpdateItem, then one consistent read (no engine returns an item that does not exist)', async () => {
        assert.deepEqual(await costOf('cost-missing', 404), [update, consistentRead]);
      });
    });

    describe('security finding 4: a malformed action item is never written and answers 500 STORE-Itm13', () => {
      const MALFORMED = zitadelError(13, 'STORE-Itm13', 'Errors.Storage.ItemMalformed');
      const cases: [string, ActionSeed['raw']][] = [
        ['no creationDate', { creationDate: undefined }],
        ['a number as creationDate', { creationDate: { N: '1716547462' } }],
        ['no sequence', { sequence: undefined }],
        ['a string as sequence', { sequence: { S: '1' } }],
        ['a negative sequence', { sequence: { N: '-1' } }],
        ['a negative fractional sequence', { sequence: { N: '-1.5' } }],
      ];
      for (const [name, raw] of cases) {
        test(`security finding 4: an active action with ${name} is refused with 500, unchanged; a retry answers the same`, async () => {
          const id = `malformed-${name.replaceAll(' ', '-')}`;
          await putAction(world.dynamo.client, { resourceOwner: ORG_A, id, raw });
          const before = await storedAction(ORG_A, id);
          await expectRejected(id, { token: ownerOfA() }, 500, MALFORMED);
          await expectRejected(id, { token: ownerOfA() }, 500, MALFORMED);
          assert.deepEqual(await storedAction(ORG_A, id), before);
        });
      }

      test('security finding 4: a non-negative fractional sequence cannot be refused by a condition: written, still 500, never "2.5"', async () => {
        // DynamoDB has no "is integer" in condition expressions; the adapter checks the new item.
        await putAction(world.dynamo.client, { resourceOwner: ORG_A, id: 'fractional', raw: { sequence: { N: '1.5' } } });
        const res = await call(world.handler, 'fractional', { token: ownerOfA() });
        assert.equal(res.status, 500);
        assert.deepEqual(res.body, MALFORMED);
        assert.equal((await storedAction(ORG_A, 'fractional'))?.sequence?.N, '2.5');
      });

      test('security finding 4: an inactive malformed action is still NotActive (nothing would be written anyway)', async () => {
        await putAction(world.dynamo.client, { resourceOwner: ORG_A, id: 'inactive-malformed', state: 'INACTIVE', raw: { creationDate: undefined } });
        await expectRejected('inactive-malformed', { token: ownerOfA() }, 400, NOT_ACTIVE);
      });
    });

  });
}
