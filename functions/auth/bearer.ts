import { Errors } from '../domain/errors.ts';
import { TokenRejected } from './token-rejected.ts';

/** Longer tokens are refused before any parsing, crypto or lookup (ZITADEL's tokens are a few KB at most). */
export const MAX_TOKEN_LENGTH = 16 * 1024;

// ZITADEL's interceptor splits the header on "Bearer " (`internal/api/authz/token.go`); we also take the
// scheme case-insensitively (RFC 6750) and refuse anything after the token.
const BEARER = /^Bearer +([^\s]+) *$/i;

/**
 * The token of an `Authorization: Bearer <token>` header, with ZITADEL's answers for the rest: no header is
 * `auth header missing` (no id), another scheme `invalid auth header (AUTH-7fs1e)`.
 */
export function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined || authorization === '') throw Errors.authHeaderMissing();
  const token = BEARER.exec(authorization)?.[1];
  if (token === undefined) throw Errors.invalidAuthHeader(new TokenRejected('no-bearer-token'));
  if (token.length > MAX_TOKEN_LENGTH) throw Errors.tokenInvalid(new TokenRejected('too-long'));
  return token;
}

/** A JWS compact serialisation: three base64url segments. Anything else is an opaque token. */
export const looksLikeJwt = (token: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);
