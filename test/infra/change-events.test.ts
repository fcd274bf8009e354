/**
 * Change events on real stream records: `node_modules/.bin/node --test test/infra/change-events.test.ts`
 *
 * DynamoDB Local (Amazon's engine) with a table whose stream is NEW_AND_OLD_IMAGES, as deployed.
 * Real writes: creates, an unrelated update, a deactivation through the storage adapter the
 * function uses, a refused second deactivation, a reactivation and a delete. The records are read
 * with the DynamoDB Streams client and run through the pipe's own filter pattern and input
 * template (the constants the construct deploys); the event is checked against the published
 * JSON Schema with ajv.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { DeleteItemCommand, DescribeTableCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { DynamoActionStore } from '../../functions/storage/actions-table.ts';
import {
  DEACTIVATION_DETAIL_TYPE,
  DEACTIVATION_EVENT_SOURCE,
  DEACTIVATION_FILTER_PATTERN,
  DEACTIVATION_INPUT_TEMPLATE,
} from '../../infra/change-events.ts';
import { putNewAction, type ActionRecord } from '../../infra/local/action-records.ts';
import { ensureActionsTable } from '../../infra/local/embedded-dynamodb.ts';
import { JAVA_INSTALL_HINT, javaAvailable, startDynamoDBLocal, type DynamoDBLocal } from '../../infra/local/dynamodb-local.ts';
import { applyInputTemplate, matchesPattern } from './support/pipe-semantics.ts';
import { readStream, type StreamRecord } from './support/stream-records.ts';

const SCHEMA = JSON.parse(readFileSync(new URL('../../infra/events/action-deactivated.schema.json', import.meta.url), 'utf8'));
const TABLE = 'actions-stream-test';
const ORG = '300000000000000100';
const CREATED = '2024-05-24T10:54:22.397Z';
const DEACTIVATED_AT = new Date('2026-11-28T04:00:00.123Z');
const USER = '300000000000000777';

// DynamoDB Local needs Java. Without it the test is skipped with the install hint, except on CI,
// where a missing Java must fail the run rather than silently drop these tests.
const java = javaAvailable();
if (!java && process.env.CI === 'true') throw new Error(`CI=true but java is missing. ${JAVA_INSTALL_HINT}`);
if (!java) console.warn(`SKIPPING the change-events stream tests: ${JAVA_INSTALL_HINT}`);

function action(id: string, name = `action ${id}`): ActionRecord {
  return {
    resourceOwner: ORG,
    id,
    name,
    script: 'function f(ctx, api) {}',
    timeout: '10s',
    allowedToFail: false,
    state: 'ACTIVE',
    sequence: 1,
    creationDate: CREATED,
    changeDate: CREATED,
  };
}

/** The record as the pipe sees it (the JSON of a stream record, with the source ARN). */
function pipeView(record: StreamRecord, streamArn: string): unknown {
  return JSON.parse(JSON.stringify({ ...record, eventSourceARN: streamArn }));
}

describe('change events: filter and input transformation on real DynamoDB stream records', { skip: !java && JAVA_INSTALL_HINT }, () => {
  let local: DynamoDBLocal;
  let client: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  /** Every stream record of the scenario, in write order, labelled by the write that made it. */
  const records: { label: string; record: unknown }[] = [];

  before(async () => {
    local = await startDynamoDBLocal();
    const config = { endpoint: local.endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    client = new DynamoDBClient(config);
    streams = new DynamoDBStreamsClient(config);
    // As the construct deploys it: a stream of old and new images.
    await ensureActionsTable(client, TABLE, { stream: true });

    const labels: string[] = [];
    const store = new DynamoActionStore(client, TABLE);
    await putNewAction(client, TABLE, action('1001'));
    labels.push('create 1001');
    await putNewAction(client, TABLE, action('1002'));
    labels.push('create 1002');
    await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { resourceOwner: { S: ORG }, id: { S: '1001' } },
        UpdateExpression: 'SET #name = :name',
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: { ':name': { S: 'renamed' } },
      }),
    );
    labels.push('rename 1001 (still ACTIVE)');
    const first = await store.deactivate({ orgId: ORG, actionId: '1001', changedBy: USER, changeDate: DEACTIVATED_AT });
    assert.equal(first.kind, 'deactivated');
    labels.push('deactivate 1001');
    // Refused (already INACTIVE): a failed conditional write makes no stream record.
    const second = await store.deactivate({ orgId: ORG, actionId: '1001', changedBy: USER, changeDate: new Date() });
    assert.equal(second.kind, 'not-active');
    await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { resourceOwner: { S: ORG }, id: { S: '1001' } },
        UpdateExpression: 'SET #state = :active, #sequence = #sequence + :one',
        ExpressionAttributeNames: { '#state': 'state', '#sequence': 'sequence' },
        ExpressionAttributeValues: { ':active': { S: 'ACTIVE' }, ':one': { N: '1' } },
      }),
    );
    labels.push('reactivate 1001');
    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { resourceOwner: { S: ORG }, id: { S: '1002' } } }));
    labels.push('delete 1002');

    const streamArn = (await client.send(new DescribeTableCommand({ TableName: TABLE }))).Table?.LatestStreamArn;
    assert.ok(streamArn, 'the table has a stream');
    const read = await readStream(streams, streamArn, labels.length);
    assert.equal(read.length, labels.length, 'one stream record per applied write, none for the refused one');
    read.forEach((record, i) => records.push({ label: labels[i]!, record: pipeView(record, streamArn) }));
  });

  after(async () => {
    client?.destroy();
    streams?.destroy();
    await local?.close();
  });

  test('the filter lets through exactly the deactivation: not the creates, the rename, the reactivation or the delete', () => {
    const passed = records.filter(({ record }) => matchesPattern(record, DEACTIVATION_FILTER_PATTERN)).map(({ label }) => label);
    assert.deepEqual(passed, ['deactivate 1001']);
    // The records are what we think they are (so the filter is not passing by accident).
    const names = records.map(({ label, record }) => `${label}: ${(record as { eventName: string }).eventName}`);
    assert.deepEqual(names, [
      'create 1001: INSERT',
      'create 1002: INSERT',
      'rename 1001 (still ACTIVE): MODIFY',
      'deactivate 1001: MODIFY',
      'reactivate 1001: MODIFY',
      'delete 1002: REMOVE',
    ]);
  });

  test('the input template turns the deactivation record into the documented detail, valid against the JSON Schema', () => {
    const deactivation = records.find(({ label }) => label === 'deactivate 1001')?.record;
    const detail = JSON.parse(applyInputTemplate(DEACTIVATION_INPUT_TEMPLATE, deactivation));
    assert.deepEqual(detail, {
      id: '1001',
      resourceOwner: ORG,
      sequence: '2',
      changeDate: DEACTIVATED_AT.toISOString(),
      changedBy: USER,
    });
    // The whole event as EventBridge delivers it: source and detail-type come from the pipe target.
    const event = {
      version: '0',
      id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      'detail-type': DEACTIVATION_DETAIL_TYPE,
      source: DEACTIVATION_EVENT_SOURCE,
      account: '123456789012',
      time: '2026-11-28T04:00:01Z',
      region: 'eu-central-1',
      resources: [],
      detail,
    };
    const validate = new Ajv2020({ strict: true, allErrors: true, formats: { 'date-time': true } }).compile(SCHEMA);
    assert.equal(validate(event), true, JSON.stringify(validate.errors));
  });

  test('the schema refuses what a consumer must not receive (sequence as a number, an extra field, a wrong source)', () => {
    const validate = new Ajv2020({ strict: true, formats: { 'date-time': true } }).compile(SCHEMA);
    const detail = { id: '1001', resourceOwner: ORG, sequence: '2', changeDate: DEACTIVATED_AT.toISOString(), changedBy: USER };
    const event = { source: DEACTIVATION_EVENT_SOURCE, 'detail-type': DEACTIVATION_DETAIL_TYPE, detail };
    assert.equal(validate(event), true);
    assert.equal(validate({ ...event, detail: { ...detail, sequence: 2 } }), false);
    assert.equal(validate({ ...event, detail: { ...detail, state: 'INACTIVE' } }), false);
    assert.equal(validate({ ...event, source: 'aws.dynamodb' }), false);
    const { changedBy: _omitted, ...withoutUser } = detail;
    assert.equal(validate({ ...event, detail: withoutUser }), false);
  });

  test('every detail field of the schema comes from the template, and nothing else', () => {
    const templateKeys = Object.keys(JSON.parse(DEACTIVATION_INPUT_TEMPLATE.replace(/<\$[^>]*>/g, 'x'))).sort();
    assert.deepEqual(templateKeys, [...SCHEMA.$defs.detail.required].sort());
    assert.deepEqual(Object.keys(SCHEMA.$defs.detail.properties).sort(), templateKeys);
  });
});

describe('the stand-in for EventBridge used above (test/infra/support/pipe-semantics.ts)', () => {
  test('refuses pattern operators it does not implement, instead of matching them wrongly', () => {
    assert.throws(() => matchesPattern({ a: 'x' }, { a: [{ prefix: 'x' }] }), /unsupported content filter/);
    assert.throws(() => matchesPattern({ a: 'x' }, { a: 'x' }), /unsupported pattern rule/);
    assert.throws(() => applyInputTemplate('{"a":"x-<$.a>"}', { a: 'x' }), /unsupported placeholder/);
    assert.throws(() => applyInputTemplate('{"a":"<$.missing>"}', { a: 'x' }), /missing in the record/);
  });

  test('exact values, nested objects, arrays in the event, missing keys; JSON escaping in quoted placeholders', () => {
    assert.equal(matchesPattern({ a: { b: 'x' } }, { a: { b: ['x', 'y'] } }), true);
    assert.equal(matchesPattern({ a: { b: 'z' } }, { a: { b: ['x', 'y'] } }), false);
    assert.equal(matchesPattern({ a: {} }, { a: { b: ['x'] } }), false);
    assert.equal(matchesPattern({ a: ['q', 'x'] }, { a: ['x'] }), true);
    assert.equal(matchesPattern({ a: { b: 'x' } }, { a: ['x'] }), false);
    assert.deepEqual(JSON.parse(applyInputTemplate('{"v":"<$.a.b>","n":<$.a.n>}', { a: { b: 'say "hi"\n', n: 2 } })), {
      v: 'say "hi"\n',
      n: 2,
    });
  });
});
