import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';


/**
 * The audience of dev tokens: stands for the ZITADEL project id the deployed function is
 * configured with (`ZITADEL_AUDIENCE`, `ZITADEL_PROJECT_ID`).
 */
export const DEV_PROJECT_ID = '300000000000000001';

/** Where the dev issuer keeps its private key, inside the data folder. */
export const signingKeyPath = (dataDir: string) => join(dataDir, 'dev-issuer', 'signing-key.pem');

export interface DevSigningKey {
  readonly kid: string;
  readonly alg: 'ES256';
  readonly privateKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
}

/** The kept key, or `undefined` if the server has not created one yet. */
export function loadSigningKey(dataDir: string): DevSigningKey | undefined {
  const path = signingKeyPath(dataDir);
  if (!existsSync(path)) return undefined;
  return fromPrivateKey(createPrivateKey(readFileSync(path)));
}

/**
 * The dev issuer's ES256 key: generated on first start and written with mode 0600 (all at once,
 * through a temporary file, so a half-written key never exists), then reused on every start so
 * tokens minted earlier stay valid.
 */
export function loadOrCreateSigningKey(dataDir: string): { key: DevSigningKey; created: boolean } {
  const existing = loadSigningKey(dataDir);
  if (existing !== undefined) return { key: existing, created: false };

  const path = signingKeyPath(dataDir);
  mkdirSync(join(dataDir, 'dev-issuer'), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  try {
    linkSync(temporary, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temporary);
  }
  const key = loadSigningKey(dataDir);
  if (key === undefined) throw new Error(`could not keep the signing key at ${path}`);
  return { key, created: true };
}

/** A fresh key kept only in memory: for a dev ZITADEL that lives as long as a test. */
export function generateSigningKey(): DevSigningKey {
  return fromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
}

function fromPrivateKey(privateKey: KeyObject): DevSigningKey {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  // RFC 7638 thumbprint: a stable key id that changes only with the key.
  const kid = createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
    .digest('base64url');
  return { kid, alg: 'ES256', privateKey, publicJwk: { ...jwk, kid, alg: 'ES256', use: 'sig' } };
}

/** The key set as ZITADEL serves it at `<issuer>/oauth/v2/keys`. */
export const jwks = (key: DevSigningKey) => ({ keys: [key.publicJwk] });

const DURATION = /^(\d+)\s*(s|m|h|d)?$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** `90`, `90s`, `15m`, `12h`, `7d` → seconds; `undefined` if not a positive duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const seconds = Number(match[1]) * UNIT_SECONDS[(match[2] ?? 's') as keyof typeof UNIT_SECONDS];
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : undefined;
}
