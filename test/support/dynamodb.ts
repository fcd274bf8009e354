import type { AddressInfo } from 'node:net';
import {
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ensureActionsTable } from '../../infra/local/embedded-dynamodb.ts';

export const TABLE = 'actions';

/** A real DynamoDB-compatible server (dynalite, in memory) on a loopback port, with the actions table. */
export async function startDynamo() {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The SDK's standard settings, as the deployed function gets them: the handler's own client
  // is built from these by the production code path.
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION = 'eu-central-1';
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  const client = new DynamoDBClient({});
  await ensureActionsTable(client, TABLE);
  return {
    endpoint,
    /** The test's own client, for seeding and inspecting the table. */
    client,
    server,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
export type Dynamo = Awaited<ReturnType<typeof startDynamo>>;

/** Counts every request a client sends (retries included), to prove failure paths never reach storage. */
export function countRequests(client: DynamoDBClient): { readonly count: number } {
  const counter = { count: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      counter.count++;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'countRequests', priority: 'low' },
  );
  return counter;
}

export interface ActionSeed {
  resourceOwner: string;
  id: string;
  state?: 'ACTIVE' | 'INACTIVE';
  sequence?: number;
  creationDate?: string;
  changeDate?: string;
}

export const CREATED = '2024-05-24T10:54:22.397Z';

export async function putAction(client: DynamoDBClient, seed: ActionSeed): Promise<void> {
  await client.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: {
        resourceOwner: { S: seed.resourceOwner },
        id: { S: seed.id },
        name: { S: `action ${seed.id}` },
        script: { S: 'function deny(ctx, api) { api.v1.user.appendMetadata("x", "y") }' },
        timeout: { S: '10s' },
        allowedToFail: { BOOL: true },
        state: { S: seed.state ?? 'ACTIVE' },
        sequence: { N: String(seed.sequence ?? 1) },
        creationDate: { S: seed.creationDate ?? CREATED },
        changeDate: { S: seed.changeDate ?? CREATED },
      },
    }),
  );
}

/** Every item in the table, sorted: compare before/after to prove nothing was written. */
export async function tableSnapshot(client: DynamoDBClient): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: TABLE, ConsistentRead: true, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  const key = (i: Record<string, AttributeValue>) => `${i.resourceOwner?.S}\u0000${i.id?.S}`;
  return items.sort((a, b) => key(a).localeCompare(key(b)));
}
