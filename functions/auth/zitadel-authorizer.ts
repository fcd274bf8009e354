import type { Authorization, Authorizer } from '../domain/authorization.ts';
import { Errors, GrpcCode, ZitadelError } from '../domain/errors.ts';
import { ACTION_WRITE, type RolePermissions } from '../domain/permissions.ts';
import { bearerToken, looksLikeJwt, secretKey } from './bearer.ts';
import { DecisionCache, type Outcome } from './decision-cache.ts';
import { orgIdCanExist } from './org-header.ts';
import type { VerifyJwt } from './token-verifier.ts';
import type { ZitadelAnswer, ZitadelLookup } from './zitadel-auth-api.ts';

/** Permitting decisions kept at once; each is a few hundred bytes (user, organisation, permissions). */
export const MAX_CACHED_DECISIONS = 2_000;
/** Refusals kept at once, apart: junk tokens (anyone can send them) never evict a permitting decision. */
export const MAX_CACHED_REFUSALS = 2_000;
/**
 * Refusals are reused for at most this long: ZITADEL's (invalid or revoked token, unknown organisation) and ours
 * (no membership, no permission), so a membership granted after a refusal is seen within 5 s.
 */
export const NEGATIVE_CACHE_SECONDS = 5;
/** ZITADEL's prefix of the ids of its current (v2) access tokens (`command.IDPrefixV2`). */
const V2_TOKEN_ID_PREFIX = 'V2_';

/**
 * What the authorizer reports to observability (an adapter outside auth/ turns it into metrics). A hit is a
 * decision made without a ZITADEL lookup of its own (a cached answer, or one shared with a concurrent caller).
 */
export interface AuthorizerTelemetry {
  decisionCache(result: 'hit' | 'miss'): void;
  zitadelLookup(milliseconds: number): void;
}

/**
 * The faithful mode: ZITADEL decides, as it does for its own API. A JWT is verified locally first, so a
 * forged, expired or foreign JWT never reaches ZITADEL; an opaque token (ZITADEL's default, and every
 * PAT) goes straight to ZITADEL. ZITADEL is asked with the caller's own token (`zitadel-auth-api.ts`) and
 * its answer is cached per (SHA-256 of the token, SHA-256 of the Origin, organisation asked for): permits for
 * `cacheSeconds`, refusals at most `NEGATIVE_CACHE_SECONDS` and apart from permits, never past the JWT's `exp`.
 * A revocation is therefore seen within `cacheSeconds`.
 */
export function createZitadelAuthorizer(deps: {
  readonly verifyJwt: VerifyJwt;
  readonly lookup: ZitadelLookup;
  readonly cacheSeconds: number;
  /** ZITADEL's role → permission mapping (its `InternalAuthZ.RolePermissionMappings`). */
  readonly rolePermissions: RolePermissions;
  readonly telemetry?: AuthorizerTelemetry;
}): Authorizer {
  const cache = new DecisionCache<Authorization>(deps.cacheSeconds === 0 ? 0 : MAX_CACHED_DECISIONS, {
    maxRefusals: deps.cacheSeconds === 0 ? 0 : MAX_CACHED_REFUSALS,
    isRefusal: isRefusalOutcome,
  });

  return {
    async authorize({ authorization, orgHeader, origin }): Promise<Authorization> {
      const token = bearerToken(authorization);
      const jwt = looksLikeJwt(token) ? await deps.verifyJwt(token) : undefined;
      const exp = jwt?.exp;
      // ZITADEL keeps a preferred language only for its legacy (v1) access tokens (`verifyAccessTokenV1` in
      // internal/authz/repository/eventsourcing/eventstore/token_verifier.go): PATs answer "", v2 tokens (id prefix
      // `V2_`) and session tokens none. Only a JWT shows which it is; an opaque token is taken as today's kind.
      const preferredLanguageApplies = typeof jwt?.jti === 'string' && !jwt.jti.startsWith(V2_TOKEN_ID_PREFIX);
      const tokenHash = secretKey(token);
      // ZITADEL's answer depends on the origin too (AUTH-DZG21): a decision for one origin never serves another.
      // Hashed, so that a long forged Origin header cannot make the cache's keys large.
      const originKey = origin === undefined ? '-' : secretKey(origin);

      const decide = async (org: string | undefined): Promise<Authorization> => {
        const lookup = { made: false };
        const outcome = await cache.get(
          `${tokenHash} ${originKey} ${org ?? ''}`,
          async () => {
            lookup.made = true;
            const started = performance.now();
            try {
              return decision(await deps.lookup(token, org, origin), org, deps.rolePermissions, preferredLanguageApplies);
            } catch (err) {
              throw withoutStack(err);
            } finally {
              deps.telemetry?.zitadelLookup(performance.now() - started);
            }
          },
          (result) => expiry(result, deps.cacheSeconds, exp),
        );
        deps.telemetry?.decisionCache(lookup.made ? 'miss' : 'hit');
        if (!outcome.ok) throw outcome.error;
        return outcome.value;
      };

      if (orgHeader !== undefined && !orgIdCanExist(orgHeader)) {
        // ZITADEL checks the token before the organisation: the token is asked about without the header
        // (which is never sent), so an invalid or revoked token still answers 401, a valid one 403 AUTH-Bs7Ds.
        await decide(undefined);
        throw Errors.orgNotFound();
      }
      return decide(orgHeader);
    },
  };
}

/**
 * ZITADEL's own evaluation (`getUserPermissions`, internal/api/authz/permissions.go): the user's memberships on
 * the organisation acted in (those it owns: organisation and project memberships) and on the instance count;
 * none is `membership not found`, roles that map to no `org.action.write` are `No matching permissions found`.
 * The organisation is ours (the header, else the user's own), never what ZITADEL was told: if something on the
 * way drops `x-zitadel-orgid`, a membership in another organisation still does not count.
 */
function decision(answer: ZitadelAnswer, orgHeader: string | undefined, rolePermissions: RolePermissions, preferredLanguageApplies: boolean): Authorization {
  const orgId = orgHeader ?? answer.userOrgId;
  const counted = answer.memberships.filter((m) => m.iam || (orgId !== '' && (m.orgId === orgId || m.resourceOwner === orgId)));
  const permissions = new Set<string>();
  for (const membership of counted) {
    for (const role of membership.roles) {
      if (Object.hasOwn(rolePermissions, role)) for (const permission of rolePermissions[role] ?? []) permissions.add(permission);
    }
  }
  return {
    userId: answer.userId,
    orgId,
    permissions,
    noMembership: counted.length === 0,
    ...(preferredLanguageApplies && answer.preferredLanguage !== undefined ? { preferredLanguage: answer.preferredLanguage } : {}),
  };
}

/**
 * The error kept in the cache, as a copy without cause or captured stack: V8 keeps an error's stack frames
 * (with the functions of async callers, whose closures hold the token) until `.stack` is first read, so a cached
 * refusal would keep the token text alive for as long as it is cached.
 */
function withoutStack(err: unknown): unknown {
  if (!isRefusal(err)) return err; // faults are never cached, and keep their cause for the logs
  const copy = new ZitadelError(err.code, err.id, err.text, { message: err.message });
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}

/** Until when an outcome may be reused: permitting decisions `cacheSeconds`, refusals briefly, faults never. */
function expiry(outcome: Outcome<Authorization>, cacheSeconds: number, exp: number | undefined): number {
  const now = Date.now();
  const refusal = isRefusalOutcome(outcome);
  if (!outcome.ok && !refusal) return now;
  const seconds = refusal ? Math.min(cacheSeconds, NEGATIVE_CACHE_SECONDS) : cacheSeconds;
  const until = now + seconds * 1000;
  return exp === undefined ? until : Math.min(until, exp * 1000);
}

/** A decision that permits no deactivation, or ZITADEL's refusal: reused briefly, and kept apart from permits. */
const isRefusalOutcome = (outcome: Outcome<Authorization>): boolean =>
  outcome.ok ? !outcome.value.permissions.has(ACTION_WRITE) : isRefusal(outcome.error);

/** ZITADEL's answer about the caller (401, 403, …), as opposed to a fault on the way (503, 500). */
const isRefusal = (err: unknown): err is ZitadelError =>
  err instanceof ZitadelError && err.code !== GrpcCode.Unavailable && err.code !== GrpcCode.Internal;
