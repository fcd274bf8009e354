import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { ActionStore, DeactivateOutcome, ObjectDetails } from '../domain/deactivate-action.ts';
import { Errors } from '../domain/errors.ts';

type Item = Record<string, AttributeValue>;

/**
 * The actions table (see CONTRACT.md): partition key `resourceOwner` (the organisation),
 * sort key `id`. Keying by organisation is what makes another organisation's action
 * unreachable: its key is never built from anything but the authorised organisation.
 */
export class DynamoActionStore implements ActionStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async deactivate(
    { orgId, actionId, changedBy, changeDate }: Parameters<ActionStore['deactivate']>[0],
    { signal }: { readonly signal?: AbortSignal } = {},
  ): Promise<DeactivateOutcome> {
    const sendOptions = signal === undefined ? undefined : { abortSignal: signal };
    const Key: Item = { resourceOwner: { S: orgId }, id: { S: actionId } };
    try {
      // One conditional write: of N concurrent calls on one active action exactly one passes.
      const { Attributes } = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key,
          UpdateExpression: 'SET #state = :inactive, #sequence = #sequence + :one, #changeDate = :now, #changedBy = :user',
          ConditionExpression: 'attribute_exists(#id) AND #state = :active',
          ExpressionAttributeNames: {
            '#id': 'id',
            '#state': 'state',
            '#sequence': 'sequence',
            '#changeDate': 'changeDate',
            '#changedBy': 'changedBy',
          },
          ExpressionAttributeValues: {
            ':active': { S: 'ACTIVE' },
            ':inactive': { S: 'INACTIVE' },
            ':one': { N: '1' },
            ':now': { S: changeDate.toISOString() },
            ':user': { S: changedBy },
          },
          ReturnValues: 'ALL_NEW',
          // Tells "not active" from "not found" without a second request on DynamoDB.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        sendOptions,
      );
      return { kind: 'deactivated', details: toDetails(Attributes) };
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        // Servers that do not implement ALL_OLD on failure (dynalite) return no item: one
        // consistent read decides. On DynamoDB this read only happens for a missing action.
        const exists = err.Item !== undefined || (await this.#exists(Key, sendOptions));
        return { kind: exists ? 'not-active' : 'not-found' };
      }
      throw storageError(err);
    }
  }

  async #exists(Key: Item, sendOptions: { abortSignal: AbortSignal } | undefined): Promise<boolean> {
    try {
      const { Item } = await this.#client.send(
        new GetItemCommand({
          TableName: this.#tableName,
          Key,
          ConsistentRead: true,
          ProjectionExpression: '#id',
          ExpressionAttributeNames: { '#id': 'id' },
        }),
        sendOptions,
      );
      return Item !== undefined;
    } catch (err) {
      throw storageError(err);
    }
  }
}

function toDetails(item: Item | undefined): ObjectDetails {
  const sequence = item?.sequence?.N;
  const creationDate = item?.creationDate?.S;
  const changeDate = item?.changeDate?.S;
  const resourceOwner = item?.resourceOwner?.S;
  if (sequence === undefined || creationDate === undefined || changeDate === undefined || resourceOwner === undefined) {
    throw Errors.internal(new Error('stored action lacks sequence, creationDate, changeDate or resourceOwner'));
  }
  return { sequence, creationDate, changeDate, resourceOwner };
}

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);

/**
 * Transient faults (throttling, 5xx, network, timeouts) have already been retried by the SDK;
 * what is left is `Unavailable`. Anything else (missing table, denied access, bad request)
 * is a deployment fault: `Internal`, details only in the logs.
 */
function storageError(err: unknown): Error {
  const e = err as { name?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const transient =
    THROTTLING.has(e.name ?? '') || e.$fault === 'server' || status === undefined || status >= 500;
  return transient ? Errors.storageUnavailable(err) : Errors.internal(err);
}
