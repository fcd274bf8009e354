import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type UpdateItemCommandInput,
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
    const Key = keyOf(orgId, actionId);
    // Marks this change. The SDK resends the same request when a reply is lost; the resend then
    // fails the condition against our own applied write, which this id recognises.
    const changeId = randomUUID();
    try {
      // One conditional write: of N concurrent calls on one active action exactly one passes.
      const { Attributes } = await this.#client.send(
        new UpdateItemCommand(deactivateUpdate({ tableName: this.#tableName, orgId, actionId, changedBy, changeDate, changeId })),
        sendOptions,
      );
      return { kind: 'deactivated', details: toDetails(Attributes) };
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        // Servers that do not implement ALL_OLD on failure (dynalite) return no item: one
        // consistent read decides. On DynamoDB this read only happens for a missing action.
        const current = err.Item ?? (await this.#read(Key, sendOptions));
        if (current === undefined) return { kind: 'not-found' };
        if (current.changeId?.S === changeId) return { kind: 'deactivated', details: toDetails(current) };
        return { kind: 'not-active' };
      }
      throw storageError(err);
    }
  }

  /**
   * Cold-start priming: a GetItem on a key no action can have (`#` is not an id character of ZITADEL's), which
   * the function's role already allows. It resolves credentials, endpoint and signing and leaves one
   * connection open. Never rejects.
   */
  async prime(): Promise<void> {
    try {
      await this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: keyOf('#prime', '#prime'), ProjectionExpression: '#id', ExpressionAttributeNames: { '#id': 'id' } }),
      );
    } catch {
      // the first request will find out
    }
  }

  async #read(Key: Item, sendOptions: { abortSignal: AbortSignal } | undefined): Promise<Item | undefined> {
    try {
      const { Item } = await this.#client.send(
        new GetItemCommand({
          TableName: this.#tableName,
          Key,
          ConsistentRead: true,
          ProjectionExpression: '#id, #changeId, #sequence, #creationDate, #changeDate, #resourceOwner',
          ExpressionAttributeNames: {
            '#id': 'id',
            '#changeId': 'changeId',
            '#sequence': 'sequence',
            '#creationDate': 'creationDate',
            '#changeDate': 'changeDate',
            '#resourceOwner': 'resourceOwner',
          },
        }),
        sendOptions,
      );
      return Item;
    } catch (err) {
      throw storageError(err);
    }
  }
}

const keyOf = (orgId: string, actionId: string): Item => ({ resourceOwner: { S: orgId }, id: { S: actionId } });

/**
 * The one conditional write (ACTIVE → INACTIVE). Exported so that the benchmark sends exactly
 * this request directly, as the floor the handler is measured against.
 */
export function deactivateUpdate(change: {
  tableName: string;
  orgId: string;
  actionId: string;
  changedBy: string;
  changeDate: Date;
  changeId: string;
}): UpdateItemCommandInput {
  return {
    TableName: change.tableName,
    Key: keyOf(change.orgId, change.actionId),
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
      ':now': { S: change.changeDate.toISOString() },
      ':user': { S: change.changedBy },
      ':changeId': { S: change.changeId },
    },
    ReturnValues: 'ALL_NEW',
    // Tells "not active" from "not found" without a second request on DynamoDB.
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
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

/** Faults the SDK has already retried and that may pass: the service is there but busy or failing. */
const TRANSIENT_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'TransactionConflictException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
/** Network failures on the way to DynamoDB (node's error codes). */
const NETWORK_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Transient faults (throttling, 5xx, network, timeouts) have already been retried by the SDK;
 * what is left is `Unavailable`. Anything else (missing table, denied access, missing
 * credentials, a bug) is a deployment fault: `Internal`, details only in the logs.
 */
function storageError(err: unknown): Error {
  const e = err as { name?: string; code?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode ?? 0;
  const transient =
    TRANSIENT_ERRORS.has(e.name ?? '') || NETWORK_ERRORS.has(e.code ?? '') || e.$fault === 'server' || status >= 500;
  return transient ? Errors.storageUnavailable(err) : Errors.internal(err);
}
