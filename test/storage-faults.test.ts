import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, UpdateItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { createHandler, DYNAMODB_MAX_ATTEMPTS } from '../functions/deactivate-action/handler.ts';
import { call, deactivateEvent, lambdaContext, zitadelError, type Handler } from './support/api.ts';
import { putAction, tableSnapshot } from './support/dynamodb.ts';
import { orgClaims } from './support/issuer.ts';
import { DYNALITE, ENGINES, type Engine } from './support/engines.ts';
import { startWorld, type World } from './support/setup.ts';

const ORG = '69629023906488334';
const ACTION = '69629023906488999';
const STORAGE_UNAVAILABLE = zitadelError(14, 'STORE-Dyn14', 'Errors.Storage.Unavailable');

// The world of the engine whose suite is running (suites run one after the other).
let world: World;
let token: string;

async function stored() {
  const { Item } = await world.dynamo.client.send(
    new GetItemCommand({ TableName: 'actions', Key: { resourceOwner: { S: ORG }, id: { S: ACTION } }, ConsistentRead: true }),
  );
  return { state: Item?.state?.S, sequence: Item?.sequence?.N };
}

/** The world for the tests of the enclosing suite: `engine` behind a fault-injecting proxy. */
function useFaultWorld(engine: Engine) {
  before(async () => {
    world = await startWorld({}, { storageProxy: true, engine });
    token = world.issuer.token(orgClaims(ORG, { ORG_OWNER: [ORG] }));
  });
  after(() => world.close());
  beforeEach(async () => {
    await putAction(world.dynamo.client, { resourceOwner: ORG, id: ACTION, sequence: 3 });
    world.proxy!.state.faults = [];
    world.proxy!.state.always = undefined;
    // Warm the key cache so only storage is under test.
    await call(world.handler, 'warm-up', { token });
    world.proxy!.state.requests = 0;
  });
}

// The faults whose outcome depends on what the engine does with the request: on both engines.
for (const engine of ENGINES) {
  describe(`DynamoDB faults that reach the engine, injected by a real HTTP proxy: ${engine.name}`, { skip: engine.skip }, () => {
    useFaultWorld(engine);

    test('[fault proxy] throttling then recovery: the SDK retries and the call succeeds once', async () => {
      world.proxy!.state.faults = [{ kind: 'throttle' }, { kind: 'throttling-exception' }];
      const res = await call(world.handler, ACTION, { token });
      assert.equal(res.status, 200);
      assert.equal(res.body.details.sequence, '4');
      assert.equal(world.proxy!.state.requests, 3);
      assert.deepEqual(await stored(), { state: 'INACTIVE', sequence: '4' });
    });

    test('[fault proxy] the reply to an applied write is lost: the retry recognises its own change, 200 once', async () => {
      world.proxy!.state.faults = [{ kind: 'lose-reply' }];
      const res = await call(world.handler, ACTION, { token });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.details.sequence, '4');
      // The lost update and its resend (condition fails on our own write, which DynamoDB returns);
      // an engine that returns no old item needs one consistent read more.
      assert.equal(world.proxy!.state.requests, engine.returnsOldItemOnConditionFailure ? 2 : 3);
      assert.deepEqual(await stored(), { state: 'INACTIVE', sequence: '4' });
      // Another call is still refused: only the very same change is recognised.
      const again = await call(world.handler, ACTION, { token });
      assert.equal(again.status, 400);
      assert.equal(again.body.code, 9);
    });
  });
}

// The rest never reaches the engine (the proxy or the client fails first): once, on dynalite.
describe('faults before the engine', () => {
  useFaultWorld(DYNALITE);

  describe('DynamoDB faults that never reach the engine, injected by a real HTTP proxy (on dynalite)', () => {
    for (const kind of ['throttle', 'throttling-exception', 'server-error', 'reset'] as const) {
      test(`[fault proxy] persistent ${kind}: ${DYNAMODB_MAX_ATTEMPTS} attempts, then Unavailable (503), nothing written`, async () => {
        world.proxy!.state.always = { kind };
        const snapshot = await tableSnapshot(world.dynamo.client);
        const res = await call(world.handler, ACTION, { token });
        assert.equal(res.status, 503);
        assert.deepEqual(res.body, STORAGE_UNAVAILABLE);
        assert.equal(world.proxy!.state.requests, DYNAMODB_MAX_ATTEMPTS);
        world.proxy!.state.always = undefined;
        assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot);
      });
    }

    test('[fault proxy] a DynamoDB that never answers: each attempt is cut by the request timeout, then 503', async () => {
      world.proxy!.state.always = { kind: 'hang' };
      const res = await call(world.handler, ACTION, { token });
      // STORE-Dyn14, not the function's own early timeout (API-T1me0): the SDK's request timeout
      // bounded the call well inside the 10 s the Lambda context gave.
      assert.equal(res.status, 503);
      assert.deepEqual(res.body, STORAGE_UNAVAILABLE);
      assert.equal(world.proxy!.state.requests, DYNAMODB_MAX_ATTEMPTS);
      world.proxy!.state.always = undefined;
      assert.deepEqual(await stored(), { state: 'ACTIVE', sequence: '3' });
    });

    test('[fault proxy] near the Lambda deadline the function answers 503 itself and aborts the DynamoDB call', async () => {
      world.proxy!.state.always = { kind: 'hang' };
      const result = await world.handler(deactivateEvent(ACTION, { token }), lambdaContext(800));
      assert.equal(result.statusCode, 503);
      assert.deepEqual(JSON.parse(result.body!), zitadelError(14, 'API-T1me0', 'Errors.Request.Timeout'));
      // Aborted, not left running: no retry follows. Left running, the first attempt would end at its request
      // timeout (1 s after the start) and the SDK's first retry follow within its backoff (at most 200 ms);
      // the answer came at about 0.5 s, so 1.5 s more covers that window with room for a busy machine.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(world.proxy!.state.requests, 1);
      world.proxy!.state.always = undefined;
      assert.deepEqual(await stored(), { state: 'ACTIVE', sequence: '3' });
    });
  });

  describe('faults of the client itself', () => {
    test('missing credentials are a deployment fault: Internal (500), not Unavailable', async () => {
      const client = new DynamoDBClient({
        credentials: () => Promise.reject(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })),
      });
      const handler = createHandler({ config: world.config, dynamodb: client, logger: new Logger({ logLevel: 'SILENT' }) }) as unknown as Handler;
      const res = await call(handler, ACTION, { token });
      assert.equal(res.status, 500);
      assert.deepEqual(res.body, zitadelError(13, 'API-1nt3r', 'Errors.Internal'));
      assert.deepEqual(await stored(), { state: 'ACTIVE', sequence: '3' });
    });
  });

  describe('faults a real server cannot produce on demand (aws-sdk-client-mock)', () => {
    test('[SDK mock] a missing table is a deployment fault: Internal (500), no details leaked', async () => {
      const client = new DynamoDBClient({});
      const mock = mockClient(client);
      mock.on(UpdateItemCommand).rejects(
        new ResourceNotFoundException({ message: 'Requested resource not found: Table: secret-table-name', $metadata: { httpStatusCode: 400 } }),
      );
      const handler = createHandler({
        config: world.config,
        dynamodb: client,
        logger: new Logger({ logLevel: 'SILENT' }),
      }) as unknown as Handler;
      const res = await call(handler, ACTION, { token });
      assert.equal(res.status, 500);
      assert.deepEqual(res.body, zitadelError(13, 'API-1nt3r', 'Errors.Internal'));
      assert.doesNotMatch(JSON.stringify(res.body), /secret-table-name|at /);
      mock.restore();
    });
  });
});
