/**
 * Checks on a JWT made before aws-jwt-verify sees it, on the unverified header and payload. Each closes a
 * hole of its own (security review of round 2):
 * - duplicated header members (two `kid`s): RFC 7515 lets a parser take the last, components may disagree;
 * - `crit`: extensions we do not understand must be refused (RFC 7515 §4.1.11), and we understand none;
 * - `typ`: only access-token types (absent, `JWT`, `at+jwt`; RFC 9068), never e.g. a logout or DPoP proof JWT;
 * - `iss` other than the configured issuer: refused before the verifier caches anything under it (finding 2:
 *   aws-jwt-verify keeps converted keys per issuer, so distinct forged issuers grew the heap without bound);
 * - `exp`/`nbf`/`iat` that are not finite numbers in a sane range: the verifier's own messages build a Date
 *   from them and threw RangeError for `exp: -1e300` (finding 5), which answered 500.
 * Returns a fixed reason word for the logs, or null when the token may go on to verification.
 */
export function jwtPrecheck(token: string, issuer: string): string | null {
  const [headerB64, payloadB64] = token.split('.', 2);
  const headerJson = decodeSegment(headerB64);
  const payloadJson = decodeSegment(payloadB64);
  if (headerJson === undefined || payloadJson === undefined) return 'malformed';

  const names = topLevelMemberNames(headerJson);
  if (names === null) return 'malformed';
  if (new Set(names).size !== names.length) return 'duplicate-header-member';

  const header = parseObject(headerJson);
  const payload = parseObject(payloadJson);
  if (header === undefined || payload === undefined) return 'malformed';
  if (Object.hasOwn(header, 'crit')) return 'crit-header';
  if (Object.hasOwn(header, 'typ') && !ACCESS_TOKEN_TYPES.has(String(header.typ).toLowerCase())) return 'typ';
  if (payload.iss !== issuer) return 'issuer';
  for (const claim of NUMERIC_DATE_CLAIMS) {
    if (Object.hasOwn(payload, claim) && !isSaneNumericDate(payload[claim])) return 'malformed-date';
  }
  return null;
}

/** `typ` values of access tokens, compared in lower case (RFC 7515 §4.1.9 / RFC 9068 §2.1). */
const ACCESS_TOKEN_TYPES = new Set(['jwt', 'at+jwt', 'application/at+jwt']);
const NUMERIC_DATE_CLAIMS = ['exp', 'nbf', 'iat'] as const;
/** 9999-12-31T23:59:59Z: beyond it `new Date(seconds * 1000)` stops being printable. */
const MAX_NUMERIC_DATE = 253_402_300_799;

const isSaneNumericDate = (value: unknown): boolean =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_NUMERIC_DATE;

function decodeSegment(segment: string | undefined): string | undefined {
  if (segment === undefined || segment === '') return undefined;
  return Buffer.from(segment, 'base64url').toString('utf8');
}

function parseObject(json: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The member names of a JSON object's top level, or null when the text is not such an object. */
function topLevelMemberNames(json: string): string[] | null {
  const names: string[] = [];
  let depth = 0;
  let expectName = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let end = i + 1;
      while (end < json.length && json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      if (depth === 1 && expectName) {
        try {
          names.push(JSON.parse(json.slice(i, end + 1)) as string);
        } catch {
          return null;
        }
        expectName = false;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      depth++;
      expectName = depth === 1 && c === '{';
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectName = true;
    }
  }
  return depth === 0 ? names : null;
}
