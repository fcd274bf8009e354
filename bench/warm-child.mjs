// Warm cost, in one function process: the handler from the bundle against dynalite, and the same
// UpdateItem sent directly with the SDK client (the physical floor: one write round trip),
// alternated block by block so both see the same machine. Plain JavaScript, driven over IPC.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

const { handler } = await import(process.env.BENCH_BUNDLE);
const template = JSON.parse(process.env.BENCH_EVENT);
const context = { awsRequestId: 'warm', functionName: 'bench', getRemainingTimeInMillis: () => 10_000 };
const direct = new DynamoDBClient({});

const eventFor = (id) => ({ ...template, pathParameters: { id }, rawPath: `/management/v1/actions/${id}/_deactivate` });
const updateFor = (id) =>
  new UpdateItemCommand({
    TableName: process.env.ACTIONS_TABLE,
    Key: { resourceOwner: { S: process.env.BENCH_ORG }, id: { S: id } },
    UpdateExpression:
      'SET #state = :inactive, #sequence = #sequence + :one, #changeDate = :now, #changedBy = :user, #changeId = :changeId',
    ConditionExpression: 'attribute_exists(#id) AND #state = :active',
    ExpressionAttributeNames: {
      '#id': 'id',
      '#state': 'state',
      '#sequence': 'sequence',
      '#changeDate': 'changeDate',
      '#changedBy': 'changedBy',
      '#changeId': 'changeId',
    },
    ExpressionAttributeValues: {
      ':active': { S: 'ACTIVE' },
      ':inactive': { S: 'INACTIVE' },
      ':one': { N: '1' },
      ':now': { S: new Date().toISOString() },
      ':user': { S: 'user-1' },
      ':changeId': { S: randomUUID() },
    },
    ReturnValues: 'ALL_NEW',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });

/** Mean milliseconds per call over `ids`, calls one after another. */
async function timeBlock(kind, ids) {
  const start = performance.now();
  for (const id of ids) {
    if (kind === 'handler') {
      const result = await handler(eventFor(id), context);
      if (result.statusCode !== 200) throw new Error(`handler answered ${result.statusCode} for ${id}`);
    } else {
      await direct.send(updateFor(id));
    }
  }
  return (performance.now() - start) / ids.length;
}

const memory = () => {
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
};

process.on('message', async (msg) => {
  if (msg.type === 'block') process.send({ type: 'block', ms: await timeBlock(msg.kind, msg.ids) });
  if (msg.type === 'memory') process.send({ type: 'memory', ...memory() });
  if (msg.type === 'exit') process.exit(0);
});
process.send({ type: 'ready' });
