/**
 * Mutation-audit survivor (issue 20): the write condition `#sequence >= :zero` changed to `> :zero` passed
 * every test, because no fixture had an ACTIVE action with sequence 0. Sequence 0 is a well-formed item.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { call } from '../support/api.ts';
import { putAction } from '../support/dynamodb.ts';
import { ENGINES } from '../support/engines.ts';
import { orgClaims } from '../support/issuer.ts';
import { NOW, startWorld, type World } from '../support/setup.ts';

const ORG = '69629023906488334';
const ACTION = '69629023906400000';

for (const engine of ENGINES) {
  describe(engine.name, { skip: engine.skip }, () => {
    let world: World;
    before(async () => {
      world = await startWorld({}, { engine });
    });
    after(() => world.close());

    test('an ACTIVE action with sequence 0 deactivates: 200, sequence "1", stored INACTIVE with sequence 1', async () => {
      await putAction(world.dynamo.client, { resourceOwner: ORG, id: ACTION, sequence: 0 });
      const res = await call(world.handler, ACTION, { token: world.issuer.token(orgClaims(ORG, { ORG_OWNER: [ORG] })) });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      // ZITADEL's details: creationDate is this change's date, changeDate unset (issue 16, item 1).
      assert.deepEqual(res.body, { details: { sequence: '1', creationDate: NOW.toISOString(), resourceOwner: ORG } });
      const { Item } = await world.dynamo.client.send(
        new GetItemCommand({ TableName: 'actions', Key: { resourceOwner: { S: ORG }, id: { S: ACTION } }, ConsistentRead: true }),
      );
      assert.equal(Item?.state?.S, 'INACTIVE');
      assert.equal(Item?.sequence?.N, '1');
      assert.equal(Item?.changeDate?.S, NOW.toISOString());
    });
  });
}
