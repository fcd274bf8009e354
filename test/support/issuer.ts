import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export const PROJECT_ID = '250123456789012345';
export const CLIENT_ID = '250123456789012346@project';
export const ORG_CLAIM = 'urn:zitadel:iam:user:resourceowner:id';
/** The configured project's own roles claim: the only one the claims mode reads. */
export const ROLES_CLAIM = `urn:zitadel:iam:org:project:${PROJECT_ID}:roles`;
/** The generic claim ZITADEL fills with the requesting client's project roles: never trusted. */
export const GENERIC_ROLES_CLAIM = 'urn:zitadel:iam:org:project:roles';

export interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
}

export function generateSigningKey(kid: string, alg: 'RS256' | 'ES256', modulusLength = 2048): SigningKey {
  const { privateKey, publicKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, alg, privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs a JWT with real keys, the way ZITADEL does (RS256 / ES256 with IEEE P1363 signatures for EC). */
export function signJwt(key: SigningKey, payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const input = `${b64url({ alg: key.alg, typ: 'JWT', kid: key.kid, ...header })}.${b64url(payload)}`;
  const signature =
    key.alg === 'RS256'
      ? sign('sha256', Buffer.from(input), key.privateKey)
      : sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/**
 * A ZITADEL-like issuer on loopback: its key set at `<issuer>/oauth/v2/keys`, served over real HTTP.
 * Counts key-set fetches; can be told to publish other keys or to answer with something else.
 */
export async function startIssuer() {
  const rsa = generateSigningKey('rsa-1', 'RS256');
  const ec = generateSigningKey('ec-1', 'ES256');
  const state = {
    keys: [rsa, ec] as SigningKey[],
    fetches: 0,
    /** Replaces the key-set answer: a status and a raw body. */
    answer: undefined as { status: number; body: string } | undefined,
    /** Holds each key-set answer back this long. */
    delayMs: 0,
    /** Drops every connection to the key set: the issuer is down. */
    down: false,
  };
  const server: Server = createServer((req, res) => {
    if (req.url !== '/oauth/v2/keys') {
      res.writeHead(404).end();
      return;
    }
    state.fetches++;
    if (state.down) {
      req.socket.destroy();
      return;
    }
    const answer = state.answer ?? { status: 200, body: JSON.stringify({ keys: state.keys.map((k) => k.publicJwk) }) };
    const send = () => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    if (state.delayMs > 0) setTimeout(send, state.delayMs).unref();
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** A ZITADEL access token for `sub`, valid for an hour, unless overridden. */
  const token = (
    claims: Record<string, unknown> = {},
    { key = rsa, header = {} }: { key?: SigningKey; header?: Record<string, unknown> } = {},
  ) => {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(
      key,
      { iss: url, aud: [PROJECT_ID, CLIENT_ID], sub: 'user-1', iat: now, nbf: now, exp: now + 3600, ...claims },
      header,
    );
  };

  return {
    url,
    rsa,
    ec,
    state,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
export type Issuer = Awaited<ReturnType<typeof startIssuer>>;

/** The claims ZITADEL puts in a token of a user of `org` holding `roles` in the given organisations. */
export function orgClaims(org: string, roles: Record<string, string[]> = {}): Record<string, unknown> {
  return {
    [ORG_CLAIM]: org,
    [ROLES_CLAIM]: Object.fromEntries(
      Object.entries(roles).map(([role, orgs]) => [role, Object.fromEntries(orgs.map((o) => [o, `${o}.example.com`]))]),
    ),
  };
}
