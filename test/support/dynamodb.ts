import {
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { ensureActionsTable } from '../../infra/local/embedded-dynamodb.ts';
import { DYNALITE, type Engine } from './engines.ts';

export const TABLE = 'actions';

/**
 * A real DynamoDB engine (dynalite by default, or DynamoDB Local) on a loopback port, with an
 * empty actions table of this world's own.
 */
export async function startDynamo(engine: Engine = DYNALITE) {
  const server = await engine.start();
  const { endpoint, credentials } = server;
  // The SDK's standard settings, as the deployed function gets them: the handler's own client
  // is built from these by the production code path.
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION = 'eu-central-1';
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  const client = new DynamoDBClient({ endpoint, credentials });
  await ensureActionsTable(client, TABLE);
  return {
    engine,
    endpoint,
    credentials,
    /** The test's own client, for seeding and inspecting the table. */
    client,
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}
export type Dynamo = Awaited<ReturnType<typeof startDynamo>>;

export interface RequestLog {
  /** HTTP requests sent (every attempt, retries included). */
  readonly count: number;
  /** Commands sent (one per `send`, whatever the retries), with the input the SDK serialised. */
  readonly commands: readonly { readonly name: string; readonly input: Record<string, unknown> }[];
}

/** Records every request a client sends, to prove failure paths never reach storage and what each call costs. */
export function countRequests(client: DynamoDBClient): RequestLog {
  const log = { count: 0, commands: [] as { name: string; input: Record<string, unknown> }[] };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      log.commands.push({ name: String(context.commandName), input: structuredClone(args.input as Record<string, unknown>) });
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands', priority: 'high' },
  );
  client.middlewareStack.add(
    (next) => async (args) => {
      log.count++;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'countRequests', priority: 'low' },
  );
  return log;
}

export interface ActionSeed {
  resourceOwner: string;
  id: string;
  state?: 'ACTIVE' | 'INACTIVE';
  sequence?: number;
  creationDate?: string;
  changeDate?: string;
  /** Attributes to set as given, or to leave out (`undefined`): to store malformed items. */
  raw?: Record<string, AttributeValue | undefined>;
}

export const CREATED = '2024-05-24T10:54:22.397Z';

export async function putAction(client: DynamoDBClient, seed: ActionSeed): Promise<void> {
  await client.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: withRaw({
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
      }, seed.raw),
    }),
  );
}

function withRaw(item: Record<string, AttributeValue>, raw: ActionSeed['raw']): Record<string, AttributeValue> {
  const result = new Map(Object.entries(item));
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (value === undefined) result.delete(name);
    else result.set(name, value);
  }
  return Object.fromEntries(result);
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
