// Warm cost, in one function process: the handler from the bundle against the engine of the world (dynalite or DynamoDB Local), and the same
// UpdateItem sent directly with the SDK client (the physical floor: one write round trip),
// alternated block by block so both see the same machine. Plain JavaScript, driven over IPC.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
// The handler's own request, so the floor is exactly the write the handler makes.
import { deactivateUpdate } from '../functions/storage/actions-table.ts';

const { handler } = await import(process.env.BENCH_BUNDLE);
const template = JSON.parse(process.env.BENCH_EVENT);
const context = { awsRequestId: 'warm', functionName: 'bench', getRemainingTimeInMillis: () => 10_000 };
const direct = new DynamoDBClient({});

const eventFor = (id) => ({ ...template, pathParameters: { id }, rawPath: `/management/v1/actions/${id}/_deactivate` });
const updateFor = (id) =>
  new UpdateItemCommand(
    deactivateUpdate({
      tableName: process.env.ACTIONS_TABLE,
      orgId: process.env.BENCH_ORG,
      actionId: id,
      changedBy: 'user-1',
      changeDate: new Date(),
      changeId: randomUUID(),
    }),
  );

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
