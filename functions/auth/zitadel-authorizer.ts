import { createHash } from 'node:crypto';
import type { Authorization, Authorizer } from '../domain/authorization.ts';
import { Errors, GrpcCode, ZitadelError } from '../domain/errors.ts';
import { bearerToken, looksLikeJwt } from './bearer.ts';
import { DecisionCache, type Outcome } from './decision-cache.ts';
import { orgHeaderAcceptable } from './org-header.ts';
import type { VerifyJwt } from './token-verifier.ts';
import type { ZitadelLookup } from './zitadel-auth-api.ts';

/** Decisions kept at once; each is a few KB at most (ZITADEL's permission list of an owner). */
export const MAX_CACHED_DECISIONS = 2_000;
/** ZITADEL's refusals (invalid or revoked token, unknown organisation) are reused for at most this long. */
export const NEGATIVE_CACHE_SECONDS = 5;

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
 * its answer is cached per (SHA-256 of the token, of the caller's `Origin`, organisation asked for) for `cacheSeconds`, never past
 * the JWT's `exp`. A revocation is therefore seen within `cacheSeconds`.
 */
export function createZitadelAuthorizer(deps: {
  readonly verifyJwt: VerifyJwt;
  readonly lookup: ZitadelLookup;
  readonly cacheSeconds: number;
  readonly telemetry?: AuthorizerTelemetry;
}): Authorizer {
  const cache = new DecisionCache<Authorization>(deps.cacheSeconds === 0 ? 0 : MAX_CACHED_DECISIONS);

  return {
    async authorize({ authorization, orgHeader, origin }): Promise<Authorization> {
      const token = bearerToken(authorization);
      const exp = looksLikeJwt(token) ? (await deps.verifyJwt(token)).exp : undefined;
      const tokenHash = createHash('sha256').update(token).digest('base64url');
      // ZITADEL's answer depends on the origin too (AUTH-DZG21): a decision for one origin never serves another.
      // Hashed, so that a long forged Origin header cannot make the cache's keys large.
      const originKey = origin === undefined ? '-' : createHash('sha256').update(origin).digest('base64url');

      const decide = async (org: string | undefined): Promise<Authorization> => {
        const lookup = { made: false };
        const outcome = await cache.get(
          `${tokenHash} ${originKey} ${org ?? ''}`,
          async () => {
            lookup.made = true;
            const started = performance.now();
            const answer = await deps.lookup(token, org, origin).finally(() => deps.telemetry?.zitadelLookup(performance.now() - started));
            return {
              userId: answer.userId,
              orgId: org ?? answer.userOrgId,
              permissions: new Set(answer.permissions),
              noMembership: answer.permissions.length === 0,
              ...(answer.preferredLanguage === undefined ? {} : { preferredLanguage: answer.preferredLanguage }),
            };
          },
          (result) => expiry(result, deps.cacheSeconds, exp),
        );
        deps.telemetry?.decisionCache(lookup.made ? 'miss' : 'hit');
        if (!outcome.ok) throw outcome.error;
        return outcome.value;
      };

      if (orgHeader !== undefined && !orgHeaderAcceptable(orgHeader)) {
        // ZITADEL checks the token before the organisation: an opaque token is asked about without the
        // header (which is never sent), so an invalid token still answers 401, a valid one 400.
        if (exp === undefined) await decide(undefined);
        throw Errors.orgIdInvalid();
      }
      return decide(orgHeader);
    },
  };
}

/** Until when an outcome may be reused: positive ones `cacheSeconds`, ZITADEL's refusals briefly, faults never. */
function expiry(outcome: Outcome<Authorization>, cacheSeconds: number, exp: number | undefined): number {
  const now = Date.now();
  const refusal = !outcome.ok && outcome.error instanceof ZitadelError && outcome.error.code !== GrpcCode.Unavailable && outcome.error.code !== GrpcCode.Internal;
  if (!outcome.ok && !refusal) return now;
  const seconds = outcome.ok ? cacheSeconds : Math.min(cacheSeconds, NEGATIVE_CACHE_SECONDS);
  const until = now + seconds * 1000;
  return exp === undefined ? until : Math.min(until, exp * 1000);
}
