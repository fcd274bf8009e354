import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { Caller } from '../domain/caller.ts';

/** ZITADEL's claim names. */
export const ORG_CLAIM = 'urn:zitadel:iam:user:resourceowner:id';
export const ROLES_CLAIM = 'urn:zitadel:iam:org:project:roles';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the caller from a token the verifier accepted, which guarantees a non-empty `sub`
 * (see token-verifier.ts). A malformed roles claim grants nothing.
 */
export function callerFromClaims(payload: JwtPayload & { sub: string }): Caller {
  const userId = payload.sub;

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
