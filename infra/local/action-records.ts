import {
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/** One action as stored in the actions table (CONTRACT.md, Storage). */
export interface ActionRecord {
  readonly resourceOwner: string;
  readonly id: string;
  readonly name: string;
  readonly script: string;
  readonly timeout: string;
  readonly allowedToFail: boolean;
  readonly state: 'ACTIVE' | 'INACTIVE';
  readonly sequence: number;
  readonly creationDate: string;
  readonly changeDate: string;
}

type Item = Record<string, AttributeValue>;

export function toItem(action: ActionRecord): Item {
  return {
    resourceOwner: { S: action.resourceOwner },
    id: { S: action.id },
    name: { S: action.name },
    script: { S: action.script },
    timeout: { S: action.timeout },
    allowedToFail: { BOOL: action.allowedToFail },
    state: { S: action.state },
    sequence: { N: String(action.sequence) },
    creationDate: { S: action.creationDate },
    changeDate: { S: action.changeDate },
  };
}

export function fromItem(item: Item): ActionRecord {
  return {
    resourceOwner: item.resourceOwner?.S ?? '',
    id: item.id?.S ?? '',
    name: item.name?.S ?? '',
    script: item.script?.S ?? '',
    timeout: item.timeout?.S ?? '',
    allowedToFail: item.allowedToFail?.BOOL ?? false,
    state: item.state?.S === 'ACTIVE' ? 'ACTIVE' : 'INACTIVE',
    sequence: Number(item.sequence?.N ?? 0),
    creationDate: item.creationDate?.S ?? '',
    changeDate: item.changeDate?.S ?? '',
  };
}

/** Adds an action; refuses to overwrite one with the same organisation and id. */
export async function putNewAction(client: DynamoDBClient, table: string, action: ActionRecord): Promise<void> {
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: toItem(action),
      ConditionExpression: 'attribute_not_exists(#id)',
      ExpressionAttributeNames: { '#id': 'id' },
    }),
  );
}

/** The actions of one organisation, or of every organisation when `orgId` is undefined. */
export async function listActions(client: DynamoDBClient, table: string, orgId?: string): Promise<ActionRecord[]> {
  const actions: ActionRecord[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    const page =
      orgId === undefined
        ? await client.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey }))
        : await client.send(
            new QueryCommand({
              TableName: table,
              ConsistentRead: true,
              KeyConditionExpression: '#org = :org',
              ExpressionAttributeNames: { '#org': 'resourceOwner' },
              ExpressionAttributeValues: { ':org': { S: orgId } },
              ExclusiveStartKey,
            }),
          );
    actions.push(...(page.Items ?? []).map(fromItem));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
  return actions;
}

/** Whether the table holds no item at all. */
export async function tableIsEmpty(client: DynamoDBClient, table: string): Promise<boolean> {
  // Limit bounds the items read, not the items returned: follow pages until one item or the end.
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, Limit: 1, ConsistentRead: true, ProjectionExpression: 'id', ExclusiveStartKey }),
    );
    if ((page.Items ?? []).length > 0) return false;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
  return true;
}

/** Some ACTIVE action of any organisation (the demo organisation's first), or `undefined`. */
export async function findActiveAction(
  client: DynamoDBClient,
  table: string,
  preferOrg?: string,
): Promise<ActionRecord | undefined> {
  const active = (await listActions(client, table)).filter((a) => a.state === 'ACTIVE');
  const byKey = (a: ActionRecord, b: ActionRecord) =>
    a.resourceOwner === b.resourceOwner ? a.id.localeCompare(b.id) : a.resourceOwner.localeCompare(b.resourceOwner);
  active.sort(byKey);
  return active.find((a) => a.resourceOwner === preferOrg) ?? active[0];
}

/** 2019-01-01T00:00:00Z: the start of the id clock. */
const ID_EPOCH_MS = Date.UTC(2019, 0, 1);
let lastTick = 0n;
let sequence = 0n;

/**
 * A ZITADEL-like id: a decimal string of about 18 digits from a sonyflake-style generator
 * (time in 10 ms units, an 8-bit sequence, a 16-bit machine id), increasing with time.
 */
export function newZitadelId(now = Date.now()): string {
  let tick = BigInt(Math.floor((now - ID_EPOCH_MS) / 10));
  if (tick <= lastTick) {
    tick = lastTick;
    sequence = (sequence + 1n) & 0xffn;
    if (sequence === 0n) tick += 1n;
  } else {
    sequence = 0n;
  }
  lastTick = tick;
  const machine = BigInt(process.pid & 0xffff);
  return ((tick << 24n) | (sequence << 16n) | machine).toString();
}
