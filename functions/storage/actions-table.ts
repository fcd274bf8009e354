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
    let updated: Item | undefined;
    try {
      // One conditional write: of N concurrent calls on one active action exactly one passes.
      ({ Attributes: updated } = await this.#client.send(
        new UpdateItemCommand(deactivateUpdate({ tableName: this.#tableName, orgId, actionId, changedBy, changeDate, changeId })),
        sendOptions,
      ));
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        // DynamoDB returns the item that failed the condition (ALL_OLD): NotActive costs this one
        // request. No item means no such action on DynamoDB, or an engine without ALL_OLD on
        // failure (dynalite): one consistent read decides, the same on every engine.
        const current = err.Item ?? (await this.#read(Key, sendOptions));
        if (current === undefined) return { kind: 'not-found' };
        if (current.changeId?.S === changeId) return { kind: 'deactivated', details: toDetails(current) };
        // Security finding 4: the condition also refused a malformed item; say so rather than NotActive.
        const problem = malformation(current);
        if (problem !== undefined) throw Errors.storageItemMalformed(new Error(`action item: ${problem}`));
        return { kind: 'not-active' };
      }
      throw storageError(err);
    }
    return { kind: 'deactivated', details: toDetails(updated) };
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
          ProjectionExpression: '#id, #state, #changeId, #sequence, #creationDate, #changeDate, #resourceOwner',
          ExpressionAttributeNames: {
            '#id': 'id',
            '#state': 'state',
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
    // Security finding 4: only a well-formed item is written. `#sequence >= :zero` holds only for a
    // number of at least 0 (a comparison with a missing attribute or another type is false), and
    // `creationDate` must be a string. A condition cannot check "integer": a fractional sequence
    // passes here and is caught on the returned item (see `toDetails`).
    ConditionExpression: 'attribute_exists(#id) AND #state = :active AND #sequence >= :zero AND attribute_type(#creationDate, :string)',
    ExpressionAttributeNames: {
      '#id': 'id',
      '#creationDate': 'creationDate',
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
      ':zero': { N: '0' },
      ':string': { S: 'S' },
      ':now': { S: change.changeDate.toISOString() },
      ':user': { S: change.changedBy },
      ':changeId': { S: change.changeId },
    },
    ReturnValues: 'ALL_NEW',
    // Tells "not active" from "not found" without a second request on DynamoDB.
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** What is wrong with an action item that an ACTIVE → INACTIVE change would rely on, if anything. */
function malformation(item: Item): string | undefined {
  if (item.state?.S !== 'ACTIVE') return undefined; // only an active item is ever written to
  const sequence = item.sequence?.N;
  if (sequence === undefined) return 'sequence is missing or not a number';
  if (!/^\d+$/.test(sequence)) return 'sequence is not a non-negative integer';
  if (item.creationDate?.S === undefined) return 'creationDate is missing or not a string';
  return undefined;
}

/**
 * ZITADEL's details of a change: the new sequence, the date of this change as `creationDate` (ZITADEL answers
 * the event's date there, not the action's creation) and the owner. `changeDate` is ZITADEL's unset field.
 */
function toDetails(item: Item | undefined): ObjectDetails {
  const sequence = item?.sequence?.N;
  const changeDate = item?.changeDate?.S;
  const resourceOwner = item?.resourceOwner?.S;
  if (sequence === undefined || changeDate === undefined || resourceOwner === undefined) {
    throw Errors.internal(new Error('stored action lacks sequence, changeDate or resourceOwner'));
  }
  // Only a fractional sequence gets this far (the condition refuses every other malformed item):
  // that write has happened, the answer is still the documented 500, never a "2.5" sequence.
  if (!/^\d+$/.test(sequence)) throw Errors.storageItemMalformed(new Error('action item: sequence is not an integer'));
  return { sequence, creationDate: changeDate, resourceOwner };
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
