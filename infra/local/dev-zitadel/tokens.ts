import { createHash, createPublicKey, randomBytes, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import type { DevSigningKey } from '../dev-issuer.ts';

/** ZITADEL's claim names (`internal/api/oidc/claims.go`). */
export const ORG_ID_CLAIM = 'urn:zitadel:iam:user:resourceowner:id';
export const ORG_NAME_CLAIM = 'urn:zitadel:iam:user:resourceowner:name';
export const ORG_DOMAIN_CLAIM = 'urn:zitadel:iam:user:resourceowner:primary_domain';
/** The roles of the project that requested the token (`ClaimProjectRoles`). */
export const PROJECT_ROLES_CLAIM = 'urn:zitadel:iam:org:project:roles';
/** The roles per project (`ClaimProjectRolesFormat`). */
export const projectRolesClaim = (projectId: string) => `urn:zitadel:iam:org:project:${projectId}:roles`;

/** How a state record finds an opaque token: its SHA-256, never the token itself. */
export const opaqueKey = (token: string) => `sha256:${createHash('sha256').update(token).digest('hex')}`;
export const jwtKey = (jti: string) => `jti:${jti}`;

/**
 * An opaque access token or PAT as ZITADEL's look: unpadded base64url of an encrypted
 * `tokenID:userID` (`decryptAccessToken` in the token verifier), no dots, not a JWT. Here the bytes
 * are random: nothing can be read from the token, only looked up.
 */
export const newOpaqueToken = () => randomBytes(64).toString('base64url');

export interface JwtRequest {
  readonly issuer: string;
  readonly subject: string;
  readonly audience: readonly string[];
  readonly clientId: string;
  readonly ttlSeconds: number;
  /** Extra claims (roles, organisation) when the token is for the claims mode. */
  readonly claims?: Record<string, unknown>;
  readonly now?: number;
  /** A legacy (v1) access token: its id has no `V2_` prefix (ZITADEL's `command.IDPrefixV2`). */
  readonly v1?: boolean;
}

/**
 * A ZITADEL JWT access token (`oidc.AccessTokenClaims`): iss, sub, aud (project ids and the
 * client id), jti, exp, iat, nbf, client_id; signed ES256 with an IEEE P1363 signature.
 */
export function mintJwt(key: DevSigningKey, request: JwtRequest): { token: string; jti: string; expiresAt: number } {
  const now = Math.floor((request.now ?? Date.now()) / 1000);
  const jti = request.v1 === true ? String(BigInt(`0x${randomBytes(7).toString('hex')}`)) : `V2_${randomUUID().replaceAll('-', '')}-at_${randomUUID().replaceAll('-', '')}`;
  const payload = {
    iss: request.issuer,
    sub: request.subject,
    aud: request.audience,
    jti,
    exp: now + request.ttlSeconds,
    iat: now,
    nbf: now,
    client_id: request.clientId,
    ...request.claims,
  };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: key.alg, kid: key.kid, typ: 'JWT' })}.${encode(payload)}`;
  const signature = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return { token: `${input}.${signature.toString('base64url')}`, jti, expiresAt: (now + request.ttlSeconds) * 1000 };
}

const publicKeys = new WeakMap<DevSigningKey, KeyObject>();
const publicKeyOf = (key: DevSigningKey): KeyObject => {
  let publicKey = publicKeys.get(key);
  if (publicKey === undefined) publicKeys.set(key, (publicKey = createPublicKey(key.privateKey)));
  return publicKey;
};

/**
 * What ZITADEL's token verifier reads from a JWT access token (`op.VerifyAccessToken`: signature
 * over its own key set, issuer, expiry): the `jti` and `sub`, or `undefined`.
 */
export function readOwnJwt(key: DevSigningKey, issuer: string, token: string, now = Date.now()): { jti: string; sub: string } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown };
    if (head.alg !== 'ES256' || head.kid !== key.kid) return undefined;
    const publicKey = publicKeyOf(key);
    const valid = verify('sha256', Buffer.from(`${header}.${payload}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
    if (!valid) return undefined;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (claims.iss !== issuer || typeof claims.exp !== 'number' || claims.exp * 1000 <= now) return undefined;
    if (typeof claims.jti !== 'string' || typeof claims.sub !== 'string') return undefined;
    return { jti: claims.jti, sub: claims.sub };
  } catch {
    return undefined;
  }
}
