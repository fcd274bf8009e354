// Warm cost, in one function process: the handler from the bundle against the engine of the world (dynalite or DynamoDB Local), and the same
// UpdateItem sent directly with the SDK client (the physical floor: one write round trip),
// alternated block by block so both see the same machine. Plain JavaScript, driven over IPC.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
// The handler's own request, so the floor is exactly the write the handler makes.
import { deactivateUpdate } from '../functions/storage/actions-table.ts';

const { handler } = await import(process.env.BENCH_BUNDLE);
// Optionally a second build (the straightforward one) in the same process, timed in blocks of its own.
const other = process.env.BENCH_OTHER_BUNDLE ? (await import(process.env.BENCH_OTHER_BUNDLE)).handler : undefined;
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

/** Mean milliseconds per call over `ids`, calls one after another, and this process's CPU time per call (µs). */
async function timeBlock(kind, ids) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (const id of ids) {
    if (kind === 'handler' || kind === 'other') {
      const result = await (kind === 'handler' ? handler : other)(eventFor(id), context);
      if (result.statusCode !== 200) throw new Error(`handler answered ${result.statusCode} for ${id}`);
    } else {
      await direct.send(updateFor(id));
    }
  }
  const ms = (performance.now() - start) / ids.length;
  const { user, system } = process.cpuUsage(cpu);
  return { ms, cpuUs: (user + system) / ids.length };
}

const memory = () => {
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
};

process.on('message', async (msg) => {
  if (msg.type === 'block') process.send({ type: 'block', ...(await timeBlock(msg.kind, msg.ids)) });
  if (msg.type === 'memory') process.send({ type: 'memory', ...memory() });
  if (msg.type === 'exit') process.exit(0);
});
process.send({ type: 'ready' });
