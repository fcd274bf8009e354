import { DEFAULT_ROLE_PERMISSIONS, type RolePermissions } from '../domain/permissions.ts';
import { DEFAULT_LANGUAGE, supportedLanguage } from '../http/translations/translate-error.ts';
import { ZITADEL_LANGUAGES } from '../http/translations/zitadel-errors.ts';

/** How a request is authorized: by ZITADEL's Auth API (default), or offline from the token's claims. */
export type AuthzMode = 'zitadel' | 'claims';
export const AUTHZ_MODES: readonly AuthzMode[] = ['zitadel', 'claims'];

export interface Config {
  readonly authzMode: AuthzMode;
  readonly issuer: string;
  /** Project ids a JWT's `aud` must contain. Required in claims mode; optional in zitadel mode. */
  readonly audience: readonly string[];
  readonly jwksUri: string;
  /** Claims mode: the project whose roles claim (`urn:zitadel:iam:org:project:{id}:roles`) is read. */
  readonly projectId: string;
  /** Zitadel mode: where ZITADEL's Auth API is (default: the issuer). */
  readonly apiUrl: string;
  /** Zitadel mode: how long a decision is reused; 0 turns the cache off. */
  readonly cacheSeconds: number;
  /** Not read from the environment: the 10-minute default suits ZITADEL's key rotation. */
  readonly keySetMaxAgeMs?: number;
  readonly tableName: string;
  readonly rolePermissions: RolePermissions;
  /** The instance's default language (`DEFAULT_LANGUAGE`) for translated errors; absent: `en`. */
  readonly defaultLanguage?: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Reads and checks the function's configuration once, at cold start. Everything wrong is
 * reported in one message, naming the variables, so a bad deployment fails loudly and at once.
 * Where the table lives (region, endpoint) is the AWS SDK's own standard configuration.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is not set`);
    return value ?? '';
  };

  const authzMode = parseMode(env.AUTHZ_MODE, problems);
  const issuer = required('ZITADEL_ISSUER').replace(/\/+$/, '');
  const rawAudience = authzMode === 'claims' ? required('ZITADEL_AUDIENCE') : (env.ZITADEL_AUDIENCE ?? '');
  const audience = rawAudience
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  const tableName = required('ACTIONS_TABLE');
  const jwksUri = env.ZITADEL_JWKS_URI?.trim() || `${issuer}/oauth/v2/keys`;
  const apiUrl = (env.ZITADEL_API_URL?.trim() || issuer).replace(/\/+$/, '');
  const projectId = env.ZITADEL_PROJECT_ID?.trim() || audience[0] || '';

  if (issuer) {
    checkTransport('ZITADEL_ISSUER', issuer, problems);
    checkTransport('ZITADEL_JWKS_URI', jwksUri, problems);
    checkTransport('ZITADEL_API_URL', apiUrl, problems);
  }
  if (rawAudience.trim() && audience.length === 0) problems.push('ZITADEL_AUDIENCE has no project id');
  const cacheSeconds = parseCacheSeconds(env.AUTHZ_CACHE_SECONDS, problems);

  const rolePermissions = parseRolePermissions(env.ROLE_PERMISSIONS, problems);
  const defaultLanguage = parseDefaultLanguage(env.DEFAULT_LANGUAGE, problems);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return { authzMode, issuer, audience, jwksUri, projectId, apiUrl, cacheSeconds, tableName, rolePermissions, defaultLanguage };
}

function parseMode(raw: string | undefined, problems: string[]): AuthzMode {
  const value = raw?.trim() || 'zitadel';
  if ((AUTHZ_MODES as readonly string[]).includes(value)) return value as AuthzMode;
  problems.push(`AUTHZ_MODE must be one of ${AUTHZ_MODES.join(', ')}, got "${value}"`);
  return 'zitadel';
}

/**
 * A decision outlives a revocation, an expiry or a removed membership by up to this long (ZITADEL's answers
 * carry no expiry for opaque tokens), so it is kept short: at most five minutes.
 */
export const MAX_CACHE_SECONDS = 300;
const DEFAULT_CACHE_SECONDS = 30;

function parseCacheSeconds(raw: string | undefined, problems: string[]): number {
  if (!raw?.trim()) return DEFAULT_CACHE_SECONDS;
  const value = Number(raw.trim());
  if (/^\d+$/.test(raw.trim()) && value <= MAX_CACHE_SECONDS) return value;
  problems.push(`AUTHZ_CACHE_SECONDS must be a whole number of seconds from 0 to ${MAX_CACHE_SECONDS}, got "${raw}"`);
  return DEFAULT_CACHE_SECONDS;
}

/** Keys and tokens must travel over TLS, except to an issuer on this very machine. */
function checkTransport(name: string, value: string, problems: string[]): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${name} is not a URL: ${value}`);
    return;
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return;
  problems.push(`${name} must use https:// (plain http only for a loopback host): ${value}`);
}

/** `ROLE_PERMISSIONS`: JSON `{"ROLE": ["permission", ...]}`; replaces the default mapping. */
function parseRolePermissions(raw: string | undefined, problems: string[]): RolePermissions {
  if (!raw?.trim()) return DEFAULT_ROLE_PERMISSIONS;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      !Array.isArray(parsed) &&
      Object.values(parsed).every((p) => Array.isArray(p) && p.every((x) => typeof x === 'string'))
    ) {
      return parsed as RolePermissions;
    }
  } catch {
    // reported below
  }
  problems.push('ROLE_PERMISSIONS must be a JSON object of role → array of permissions');
  return DEFAULT_ROLE_PERMISSIONS;
}

/**
 * `DEFAULT_LANGUAGE`: the instance default of ZITADEL's translator, one of the languages ZITADEL ships (ZITADEL
 * refuses any other as a default language: `Errors.Language.NotSupported`). A regional tag such as `de-CH` is not
 * one of them.
 */
function parseDefaultLanguage(raw: string | undefined, problems: string[]): string {
  if (!raw?.trim()) return DEFAULT_LANGUAGE;
  const language = supportedLanguage(raw);
  if (language !== undefined) return language;
  problems.push(`DEFAULT_LANGUAGE must be one of ZITADEL's languages (${ZITADEL_LANGUAGES.join(', ')}), got "${raw}"`);
  return DEFAULT_LANGUAGE;
}
