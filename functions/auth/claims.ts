import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { Caller } from '../domain/caller.ts';
import { Errors } from '../domain/errors.ts';

/** ZITADEL's claim names. */
export const ORG_CLAIM = 'urn:zitadel:iam:user:resourceowner:id';
export const ROLES_CLAIM = 'urn:zitadel:iam:org:project:roles';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the caller from an already verified token. A token without a user (`sub`) cannot be
 * attributed and is rejected like any other bad token; a malformed roles claim grants nothing.
 */
export function callerFromClaims(payload: JwtPayload): Caller {
  const userId = payload.sub;
  if (typeof userId !== 'string' || userId === '') throw Errors.tokenInvalid();

  const org = payload[ORG_CLAIM];
  const roles = new Map<string, Set<string>>();
  const rolesClaim = payload[ROLES_CLAIM];
  if (isRecord(rolesClaim)) {
    for (const [role, orgs] of Object.entries(rolesClaim)) {
      if (isRecord(orgs)) roles.set(role, new Set(Object.keys(orgs)));
    }
  }
  return { userId, orgId: typeof org === 'string' ? org : '', roles };
}
