import { hash } from 'node:crypto';
import { Errors } from '../domain/errors.ts';
import { TokenRejected } from './token-rejected.ts';

/** Longer tokens are refused before any parsing, crypto or lookup (ZITADEL's tokens are a few KB at most). */
export const MAX_TOKEN_LENGTH = 16 * 1024;

/** ZITADEL's interceptor splits the header on exactly this (`internal/api/authz/token.go`, `BearerPrefix`). */
const BEARER_PREFIX = 'Bearer ';
/**
 * RFC 6750's token characters (b64token). Every token ZITADEL issues fits; anything else (control characters,
 * spaces, non-ASCII) is refused here, so it never reaches a header sent to ZITADEL, an HTTP library's error
 * message or a log line.
 */
const TOKEN_CHARACTERS = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The token of an `Authorization: Bearer <token>` header, with ZITADEL's answers for the rest: no header is
 * `auth header missing` (no id), a header that does not start with `Bearer ` (case-sensitive, as ZITADEL
 * splits it) `invalid auth header (AUTH-7fs1e)`, and a token no issuer could have made `Errors.Token.Invalid`.
 */
export function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined || authorization === '') throw Errors.authHeaderMissing();
  if (!authorization.startsWith(BEARER_PREFIX)) throw Errors.invalidAuthHeader(new TokenRejected('no-bearer-token'));
  const token = authorization.slice(BEARER_PREFIX.length);
  if (token.length > MAX_TOKEN_LENGTH) throw Errors.tokenInvalid(new TokenRejected('too-long'));
  if (!TOKEN_CHARACTERS.test(token)) throw Errors.tokenInvalid(new TokenRejected('token-characters'));
  return token;
}

/**
 * Shaped like a JWS compact serialisation: base64url segments joined by dots, at least three, so it is verified
 * locally first (ZITADEL's opaque tokens and PATs contain no dot). A fourth segment, or padding (`=`) on the header or
 * payload, fails that check and is never sent to ZITADEL. Padding after the signature does not: aws-jwt-verify
 * allows up to two `=` per segment and the signed input is unchanged, so such a token goes on to ZITADEL, which
 * decides it as it decides any token.
 */
export const looksLikeJwt = (token: string): boolean => /^[\w-]+=*(?:\.[\w-]*=*){2,}$/.test(token);

/**
 * The key under which a cache keeps anything about a token (or another caller-chosen text, such as the `Origin`):
 * its SHA-256, base64url. Never the text itself, so no cache holds a token and no long header makes a key long.
 */
export const secretKey = (text: string): string => hash('sha256', text, 'base64url');
