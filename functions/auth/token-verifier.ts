import { Agent } from 'node:http';
import { JwtVerifier } from 'aws-jwt-verify';
import {
  FetchError,
  JwtBaseError,
  JwkValidationError,
  JwksValidationError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import { SimpleFetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { DecomposedJwt } from 'aws-jwt-verify/jwt';
import type { Jwks } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { Errors } from '../domain/errors.ts';
import { secretKey } from './bearer.ts';
import { jwtPrecheck } from './jwt-precheck.ts';
import { TokenRejected } from './token-rejected.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';

export interface TokenVerifierConfig {
  readonly issuer: string;
  /** Project ids a token's `aud` must contain; empty: `aud` is not checked (zitadel mode leaves it to ZITADEL). */
  readonly audience: readonly string[];
  readonly jwksUri: string;
  /** How old the cached key set may grow before it is refreshed. Default 10 minutes. */
  readonly keySetMaxAgeMs?: number;
}

/** Clock skew tolerated on `exp` and `nbf`. */
export const CLOCK_SKEW_SECONDS = 10;
/**
 * Claims ZITADEL puts in ID tokens and never in access tokens (its claims matrix: `acr`, `amr`,
 * `auth_time`; `nonce`, `at_hash`, `c_hash` from OpenID Connect). An ID token of the same project
 * carries the same `iss` and `aud`, so these claims are what tells it apart.
 */
const ID_TOKEN_CLAIMS = ['acr', 'amr', 'auth_time', 'nonce', 'at_hash', 'c_hash'];
/** Weaker RSA keys are refused even when the key set publishes them. */
const MIN_RSA_MODULUS_BITS = 2048;
/**
 * Bound on one key-set request. aws-jwt-verify retries a failed fetch once, so a cold start
 * facing an unreachable issuer waits at most about 2 × 2 s before answering 503.
 */
const JWKS_RESPONSE_MS = 2_000;
const DEFAULT_KEY_SET_MAX_AGE_MS = 10 * 60_000;
/**
 * After a failed key-set fetch, no other fetch for this long (finding 3: aws-jwt-verify's penalty box only
 * arms after a successful fetch that lacked the kid, so an issuer answering 500 got one fetch per token).
 */
export const FAILED_FETCH_BACKOFF_MS = 10_000;

/**
 * aws-jwt-verify's cache keeps a key set until a token names a kid it lacks, so a key the issuer
 * withdrew would stay trusted for the container's life. This one also refreshes the set once it
 * is older than `maxAgeMs`, in the background: the request that notices keeps the cached set, a
 * failed refresh keeps it too, and the next refresh is tried one max age later.
 * After a failed fetch it backs off: for `FAILED_FETCH_BACKOFF_MS` a kid missing from the cache is
 * answered as "key set unavailable" without another request to the issuer, whatever the kid.
 */
class RefreshingJwksCache extends SimpleJwksCache {
  readonly #maxAgeMs: number;
  readonly #fetchedAt = new Map<string, number>();
  readonly #failedUntil = new Map<string, number>();
  readonly #onFetched: () => void;
  readonly #latest = new Map<string, Jwks>();

  constructor(props: ConstructorParameters<typeof SimpleJwksCache>[0] & { maxAgeMs: number; onFetched: () => void }) {
    super(props);
    this.#maxAgeMs = props.maxAgeMs;
    this.#onFetched = props.onFetched;
  }

  override async getJwks(jwksUri: string) {
    try {
      const jwks = await super.getJwks(jwksUri);
      this.#fetchedAt.set(jwksUri, Date.now());
      this.#failedUntil.delete(jwksUri);
      this.#latest.set(jwksUri, jwks);
      this.#onFetched();
      return jwks;
    } catch (err) {
      if (err instanceof FetchError) this.#failedUntil.set(jwksUri, Date.now() + FAILED_FETCH_BACKOFF_MS);
      throw err;
    }
  }

  /**
   * Until when (epoch ms) the cached set counts as current: its max age after it was fetched (or a refresh was
   * started). A verified token is reused only until then, so a token signed with a key the issuer withdrew is
   * checked against the refreshed set like any other (the refresh is started by a full verification).
   */
  currentUntil(jwksUri: string): number {
    return (this.#fetchedAt.get(jwksUri) ?? 0) + this.#maxAgeMs;
  }

  /** The set last fetched from `jwksUri`, if any (cold-start priming picks a key of it). */
  latest(jwksUri: string): Jwks | undefined {
    return this.#latest.get(jwksUri);
  }

  override async getJwk(jwksUri: string, decomposedJwt: DecomposedJwt) {
    const fetchedAt = this.#fetchedAt.get(jwksUri);
    if (fetchedAt !== undefined && Date.now() - fetchedAt > this.#maxAgeMs) {
      this.#fetchedAt.set(jwksUri, Date.now());
      this.getJwks(jwksUri).catch(() => undefined);
    }
    const failedUntil = this.#failedUntil.get(jwksUri);
    if (failedUntil !== undefined && Date.now() < failedUntil && !this.#hasCached(jwksUri, decomposedJwt)) {
      throw new FetchError(jwksUri, 'backing off after a failed fetch');
    }
    return super.getJwk(jwksUri, decomposedJwt);
  }

  #hasCached(jwksUri: string, decomposedJwt: DecomposedJwt): boolean {
    try {
      this.getCachedJwk(jwksUri, decomposedJwt);
      return true;
    } catch {
      return false;
    }
  }
}

/** Our checks on top of aws-jwt-verify's. */
class TokenPolicyError extends Error {}

const REJECTION_REASONS: ReadonlyArray<readonly [new (...args: never[]) => Error, string]> = [
  [JwtParseError, 'malformed'],
  [JwtInvalidSignatureAlgorithmError, 'algorithm'],
  [JwtInvalidSignatureError, 'signature'],
  [JwtInvalidIssuerError, 'issuer'],
  [JwtInvalidAudienceError, 'audience'],
  [JwtExpiredError, 'expired'],
  [JwtNotBeforeError, 'not-yet-valid'],
  [JwtWithoutValidKidError, 'kid-missing'],
  [KidNotFoundInJwksError, 'kid-unknown'],
  [WaitPeriodNotYetEndedJwkError, 'kid-unknown'],
  [JwksValidationError, 'key-set-invalid'],
  [JwkValidationError, 'key-invalid'],
];

/** node:crypto refusing the signature itself, e.g. an RSA-sized signature checked as ES256. */
function isCryptoError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('ERR_CRYPTO_') || code.startsWith('ERR_OSSL_'));
}

function rejection(err: unknown): TokenRejected {
  if (err instanceof TokenPolicyError) return new TokenRejected(err.message);
  if (isCryptoError(err)) return new TokenRejected('signature');
  const reason = REJECTION_REASONS.find(([type]) => err instanceof type)?.[1];
  return new TokenRejected(reason ?? 'invalid');
}

/** Resolves to the payload of an accepted token: verified, and with a non-empty `sub`. */
export type VerifyJwt = (token: string) => Promise<JwtPayload & { sub: string }>;

export interface JwtVerifierHandle {
  readonly verify: VerifyJwt;
  /** Fetches the key set now (cold-start priming); never rejects. */
  readonly hydrate: () => Promise<void>;
}

/**
 * Builds the JWT check. The verifier and its key cache live as long as the Lambda container, so a
 * warm function verifies from memory (the set is refreshed in the background every
 * `keySetMaxAgeMs`); an unknown `kid` triggers one refetch (key rotation), after which
 * aws-jwt-verify's penalty box stops a flood of unknown kids from reaching the issuer.
 */
export function createJwtVerifier(
  config: TokenVerifierConfig,
  // Tests hand in their own to look at it; the function always uses the default.
  verified = new VerifiedTokenCache<JwtPayload & { sub: string; exp: number }>(),
): JwtVerifierHandle {
  const loopbackHttp = new URL(config.jwksUri).protocol === 'http:';
  const fetcher = new SimpleFetcher({
    defaultRequestOptions: {
      responseTimeout: JWKS_RESPONSE_MS,
      // aws-jwt-verify fetches with node's https.request; a plain-http agent makes that same
      // request speak http. Config only allows this for loopback issuers (local runs, tests).
      ...(loopbackHttp ? { agent: new Agent() } : {}),
    },
  });

  const jwksCache = new RefreshingJwksCache({
    fetcher,
    maxAgeMs: config.keySetMaxAgeMs ?? DEFAULT_KEY_SET_MAX_AGE_MS,
    // A new key set may have withdrawn the key a cached token was signed with: verify everything again.
    onFetched: () => verified.clear(),
  });
  const verifier = JwtVerifier.create(
    {
      issuer: config.issuer,
      audience: config.audience.length === 0 ? null : [...config.audience],
      jwksUri: config.jwksUri,
      graceSeconds: CLOCK_SKEW_SECONDS,
      customJwtCheck: ({ payload, jwk }) => {
        if (payload.exp === undefined) {
          throw new TokenPolicyError('exp-missing');
        }
        // The change is attributed to a user: a token without one cannot be accepted.
        if (typeof payload.sub !== 'string' || payload.sub === '') {
          throw new TokenPolicyError('sub-missing');
        }
        if (ID_TOKEN_CLAIMS.some((claim) => Object.hasOwn(payload, claim))) {
          throw new TokenPolicyError('id-token');
        }
        if (jwk.kty === 'RSA' && rsaModulusBits(jwk.n) < MIN_RSA_MODULUS_BITS) {
          throw new TokenPolicyError('rsa-key-too-short');
        }
      },
    },
    { jwksCache },
  );

  const verify: VerifyJwt = async (token) => {
    // A token seen before skips the signature check, inside its own validity window only (verified-token-cache.ts).
    const key = secretKey(token);
    const cached = verified.get(key);
    if (cached !== undefined) return cached;
    const refused = jwtPrecheck(token, config.issuer);
    if (refused !== null) throw Errors.tokenInvalid(new TokenRejected(refused));
    try {
      // customJwtCheck has refused any token without a string `sub` or `exp`.
      const payload = deepFreeze((await verifier.verify(token)) as JwtPayload & { sub: string; exp: number });
      verified.set(key, payload, {
        exp: payload.exp,
        nbf: payload.nbf,
        skewSeconds: CLOCK_SKEW_SECONDS,
        keySetCurrentUntil: jwksCache.currentUntil(config.jwksUri),
      });
      return payload;
    } catch (err) {
      // "Could not fetch the key set" is the issuer's fault (503). Every other verification
      // failure, a malformed key set included, means this token is not acceptable (401).
      // Anything else is a bug or a misconfiguration, not the caller's doing (500).
      if (err instanceof FetchError) throw Errors.keySetUnavailable(err);
      if (err instanceof JwtBaseError || err instanceof TokenPolicyError || isCryptoError(err)) {
        throw Errors.tokenInvalid(rejection(err));
      }
      throw Errors.internal(err);
    }
  };
  /**
   * Cold-start priming: fetches the key set, then runs `verify` once on a token that names the set's first key
   * and carries an all-zero signature. The signature check fails (nothing is cached, nothing logged, no request
   * made), but the first real request finds the key's KeyObject built and the verification path compiled.
   */
  const hydrate = async () => {
    await verifier.hydrate().catch(() => undefined);
    const token = primingToken(jwksCache.latest(config.jwksUri), config);
    if (token !== undefined) await verify(token).catch(() => undefined);
  };
  return { verify, hydrate };
}

/** A token in the shape of a real one, for the first key of `jwks`, whose signature never verifies. */
function primingToken(jwks: Jwks | undefined, config: TokenVerifierConfig): string | undefined {
  const jwk = jwks?.keys[0];
  if (jwk?.kid === undefined) return undefined;
  const alg = typeof jwk.alg === 'string' ? jwk.alg : jwk.kty === 'EC' ? 'ES256' : 'RS256';
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = part({ alg, kid: jwk.kid, typ: 'JWT' });
  const payload = part({ iss: config.issuer, sub: '#prime', aud: config.audience[0], iat: now, exp: now + 60 });
  const signatureBytes = jwk.kty === 'RSA' && typeof jwk.n === 'string' ? Buffer.from(jwk.n, 'base64url').length : 64;
  return `${header}.${payload}.${Buffer.alloc(signatureBytes).toString('base64url')}`;
}

/** A cached payload is shared by every request presenting the token: nobody may change it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

function rsaModulusBits(n: unknown): number {
  if (typeof n !== 'string') return 0;
  const bytes = Buffer.from(n, 'base64url');
  let leadingZeros = 0;
  while (leadingZeros < bytes.length && bytes[leadingZeros] === 0) leadingZeros++;
  const first = bytes[leadingZeros];
  return first === undefined ? 0 : (bytes.length - leadingZeros - 1) * 8 + (32 - Math.clz32(first));
}
