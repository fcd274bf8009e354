import type { Authorization } from './authorization.ts';
import { Errors } from './errors.ts';
import { ACTION_WRITE } from './permissions.ts';

/**
 * ZITADEL's `ObjectDetails` as its `DeactivateAction` fills them (`object.AddToDetailsPb(sequence, eventDate,
 * resourceOwner)`, internal/api/grpc/object/converter.go): `creationDate` is the date of *this change's* event, and
 * `change_date` is left unset, so ZITADEL's marshaler (no EmitUnpopulated) leaves `changeDate` out of the answer.
 */
export interface ObjectDetails {
  /** Decimal string: protobuf uint64 in JSON. */
  readonly sequence: string;
  /** The time of this change (RFC 3339). */
  readonly creationDate: string;
  readonly resourceOwner: string;
}

export type DeactivateOutcome =
  | { readonly kind: 'deactivated'; readonly details: ObjectDetails }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'not-active' };

/** The storage port. One call must be one atomic conditional change (ACTIVE → INACTIVE). */
export interface ActionStore {
  deactivate(change: {
    readonly orgId: string;
    readonly actionId: string;
    readonly changedBy: string;
    readonly changeDate: Date;
  }, options?: { readonly signal?: AbortSignal }): Promise<DeactivateOutcome>;
}

export interface DeactivateActionRequest {
  readonly actionId: string;
  /** Who calls, in which organisation, with which permissions there. */
  readonly authorization: Authorization;
}

export interface DeactivateActionDeps {
  readonly store: ActionStore;
  /** Aborts the storage call when the function gives up on the request (its early timeout). */
  readonly signal?: AbortSignal;
  readonly now: () => Date;
}

/**
 * The bound on ids this project creates (the actions CLI; ZITADEL's ids are decimal strings of 18 digits, and the
 * `min_len: 1, max_len: 200` rule it puts on other ids is counted in characters, not bytes). The API itself has no
 * such rule: ZITADEL's `DeactivateActionRequest` has none, an id that cannot exist is simply not found.
 */
export const MAX_ID_LENGTH = 200;
// Control characters (Unicode `Cc`: C0, DEL, C1) and `/` can never be part of an action id.
const FORBIDDEN_ID_CHARACTER = /[\p{Cc}/]/u;

/** Characters as ZITADEL counts them (runes), not UTF-16 units. */
function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** DynamoDB's limit on a sort key value (UTF-8 bytes): no stored action has a longer id. */
const MAX_SORT_KEY_BYTES = 1024;

/**
 * Whether any action could have this id. One that cannot (longer than a DynamoDB sort key, a control character,
 * ill-formed UTF-16 that has no UTF-8 form) is answered `Action not found` as ZITADEL answers any id it does not
 * find, without being sent to DynamoDB (which would refuse it as a bad request).
 */
export function actionIdCanExist(id: string): boolean {
  return id.isWellFormed() && !/\p{Cc}/u.test(id) && Buffer.byteLength(id, 'utf8') <= MAX_SORT_KEY_BYTES;
}

/** The rule for ids this project creates (actions CLI); null when the id is acceptable. */
export function idProblem(id: string): 'too-long' | 'invalid-characters' | null {
  if (codePoints(id) > MAX_ID_LENGTH) return 'too-long';
  if (FORBIDDEN_ID_CHARACTER.test(id) || !id.isWellFormed()) return 'invalid-characters';
  return null;
}

/**
 * ZITADEL's `Commands.DeactivateAction`, preceded by the permission check its auth interceptor
 * makes. The caller learns nothing about an organisation it may not write to.
 */
export async function deactivateAction(
  { actionId, authorization }: DeactivateActionRequest,
  { store, now, signal }: DeactivateActionDeps,
): Promise<ObjectDetails> {
  const { orgId, userId } = authorization;
  if (orgId === '') throw Errors.idMissing();
  if (!authorization.permissions.has(ACTION_WRITE)) {
    throw authorization.noMembership ? Errors.membershipNotFound() : Errors.permissionDenied();
  }

  if (actionId === '') throw Errors.idMissing();
  if (!actionIdCanExist(actionId)) throw Errors.actionNotFound();

  const outcome = await store.deactivate(
    { orgId, actionId, changedBy: userId, changeDate: now() },
    signal === undefined ? undefined : { signal },
  );
  switch (outcome.kind) {
    case 'deactivated':
      return outcome.details;
    case 'not-found':
      throw Errors.actionNotFound();
    case 'not-active':
      throw Errors.actionNotActive();
  }
}
