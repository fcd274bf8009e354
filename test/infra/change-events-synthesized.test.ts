/**
 * The deployed pipe's behaviour on real stream records (issue 20): `node_modules/.bin/node --test test/infra/change-events-synthesized.test.ts`
 *
 * The filter pattern and the input template are read from the **synthesized** CloudFormation template (the
 * AWS::Pipes::Pipe the stack deploys), not from the exported constants, and run (with the EventBridge stand-in
 * of ./support/pipe-semantics.ts) on real stream records from DynamoDB Local, whose table has the deployed
 * stream view (NEW_AND_OLD_IMAGES). The records that matter are later writes to an action that is already
 * INACTIVE (a rename, a full overwrite): a filter that only looked at the new image would publish a false
 * "Action Deactivated" for each.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DescribeTableCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { Template } from 'aws-cdk-lib/assertions';
import { DynamoActionStore } from '../../functions/storage/actions-table.ts';
import { createApp } from '../../infra/create-app.ts';
import { projectRoot } from '../../infra/function-bundle.ts';
import { putNewAction, toItem, type ActionRecord } from '../../infra/local/action-records.ts';
import { ensureActionsTable } from '../../infra/local/embedded-dynamodb.ts';
import { JAVA_INSTALL_HINT, javaAvailable, startDynamoDBLocal, type DynamoDBLocal } from '../../infra/local/dynamodb-local.ts';
import { applyInputTemplate, matchesPattern } from './support/pipe-semantics.ts';
import { readStream } from './support/stream-records.ts';

const TABLE = 'actions-synth-stream-test';
const ORG = '300000000000000200';
const CREATED = '2024-05-24T10:54:22.397Z';
const DEACTIVATED_AT = new Date('2026-11-28T04:00:00.123Z');
const USER = '300000000000000778';

const java = javaAvailable();
if (!java && process.env.CI === 'true') throw new Error(`CI=true but java is missing. ${JAVA_INSTALL_HINT}`);

/** The pipe as synthesized: its filter patterns (a record passes if any matches) and its input template. */
function synthesizedPipe(): { patterns: unknown[]; inputTemplate: string } {
  const cdkJson = JSON.parse(readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const { stack } = createApp(
    // Without CDK's built-in CloudFormation validation (warnings only, ~2 s of CPU): the test reads the template.
    { builtinCloudFormationValidation: false, context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], zitadelIssuer: 'https://example.zitadel.cloud' } },
    { nag: false },
  );
  const pipes = Object.values(Template.fromStack(stack).findResources('AWS::Pipes::Pipe')) as {
    Properties: { SourceParameters: { FilterCriteria: { Filters: { Pattern: string }[] } }; TargetParameters: { InputTemplate: string } };
  }[];
  assert.equal(pipes.length, 1, 'one pipe');
  const { SourceParameters, TargetParameters } = pipes[0]!.Properties;
  return { patterns: SourceParameters.FilterCriteria.Filters.map((f) => JSON.parse(f.Pattern) as unknown), inputTemplate: TargetParameters.InputTemplate };
}

function action(id: string, overrides: Partial<ActionRecord> = {}): ActionRecord {
  return {
    resourceOwner: ORG,
    id,
    name: `action ${id}`,
    script: 'function f(ctx, api) {}',
    timeout: '10s',
    allowedToFail: false,
    state: 'ACTIVE',
    sequence: 1,
    creationDate: CREATED,
    changeDate: CREATED,
    ...overrides,
  };
}

describe('the synthesized pipe on real stream records: only ACTIVE → INACTIVE is published', { skip: !java && JAVA_INSTALL_HINT }, () => {
  let local: DynamoDBLocal;
  let client: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  const records: { label: string; record: unknown }[] = [];
  let pipe: ReturnType<typeof synthesizedPipe>;

  before(async () => {
    pipe = synthesizedPipe();
    local = await startDynamoDBLocal();
    const config = { endpoint: local.endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    client = new DynamoDBClient(config);
    streams = new DynamoDBStreamsClient(config);
    await ensureActionsTable(client, TABLE, { stream: true });

    const labels: string[] = [];
    await putNewAction(client, TABLE, action('2001'));
    labels.push('create 2001');
    const deactivated = await new DynamoActionStore(client, TABLE).deactivate({ orgId: ORG, actionId: '2001', changedBy: USER, changeDate: DEACTIVATED_AT });
    assert.equal(deactivated.kind, 'deactivated');
    labels.push('deactivate 2001');
    await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { resourceOwner: { S: ORG }, id: { S: '2001' } },
        UpdateExpression: 'SET #name = :name, #sequence = #sequence + :one',
        ExpressionAttributeNames: { '#name': 'name', '#sequence': 'sequence' },
        ExpressionAttributeValues: { ':name': { S: 'renamed while inactive' }, ':one': { N: '1' } },
      }),
    );
    labels.push('rename 2001 (INACTIVE before and after)');
    await client.send(
      new PutItemCommand({ TableName: TABLE, Item: { ...toItem(action('2001', { state: 'INACTIVE', sequence: 9, name: 'overwritten' })), changedBy: { S: USER } } }),
    );
    labels.push('overwrite 2001 with an INACTIVE item');
    await client.send(new PutItemCommand({ TableName: TABLE, Item: toItem(action('2002', { state: 'INACTIVE' })) }));
    labels.push('create 2002 INACTIVE');

    const streamArn = (await client.send(new DescribeTableCommand({ TableName: TABLE }))).Table?.LatestStreamArn;
    assert.ok(streamArn, 'the table has a stream');
    const read = await readStream(streams, streamArn, labels.length);
    assert.equal(read.length, labels.length, 'one stream record per write');
    read.forEach((record, i) => records.push({ label: labels[i]!, record: JSON.parse(JSON.stringify({ ...record, eventSourceARN: streamArn })) }));
  });

  after(async () => {
    client?.destroy();
    streams?.destroy();
    await local?.close();
  });

  test('later writes to an INACTIVE action (a rename, an overwrite) and an INACTIVE create publish nothing; the deactivation does', () => {
    const images = records.map(({ label, record }) => {
      const r = record as { eventName: string; dynamodb: { OldImage?: { state?: { S?: string } }; NewImage?: { state?: { S?: string } } } };
      return `${label}: ${r.eventName} ${r.dynamodb.OldImage?.state?.S ?? '-'} -> ${r.dynamodb.NewImage?.state?.S ?? '-'}`;
    });
    // The records are what they should be, so the filter is not passing by accident.
    assert.deepEqual(images, [
      'create 2001: INSERT - -> ACTIVE',
      'deactivate 2001: MODIFY ACTIVE -> INACTIVE',
      'rename 2001 (INACTIVE before and after): MODIFY INACTIVE -> INACTIVE',
      'overwrite 2001 with an INACTIVE item: MODIFY INACTIVE -> INACTIVE',
      'create 2002 INACTIVE: INSERT - -> INACTIVE',
    ]);
    const published = records.filter(({ record }) => pipe.patterns.some((p) => matchesPattern(record, p))).map(({ label }) => label);
    assert.deepEqual(published, ['deactivate 2001']);
  });

  test('the synthesized input template makes the deactivation record the documented detail', () => {
    const deactivation = records.find(({ label }) => label === 'deactivate 2001')?.record;
    assert.deepEqual(JSON.parse(applyInputTemplate(pipe.inputTemplate, deactivation)), {
      id: '2001',
      resourceOwner: ORG,
      sequence: '2',
      changeDate: DEACTIVATED_AT.toISOString(),
      changedBy: USER,
    });
  });
});
