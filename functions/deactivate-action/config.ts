import { DEFAULT_ROLE_PERMISSIONS, type RolePermissions } from '../domain/permissions.ts';

export interface Config {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly jwksUri: string;
  /** Not read from the environment: the 10-minute default suits ZITADEL's key rotation. */
  readonly keySetMaxAgeMs?: number;
  readonly tableName: string;
  readonly rolePermissions: RolePermissions;
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

  const issuer = required('ZITADEL_ISSUER').replace(/\/+$/, '');
  const audience = required('ZITADEL_AUDIENCE')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  const tableName = required('ACTIONS_TABLE');
  const jwksUri = env.ZITADEL_JWKS_URI?.trim() || `${issuer}/oauth/v2/keys`;

  if (issuer) checkTransport('ZITADEL_ISSUER', issuer, problems);
  if (issuer) checkTransport('ZITADEL_JWKS_URI', jwksUri, problems);
  if (env.ZITADEL_AUDIENCE?.trim() && audience.length === 0) problems.push('ZITADEL_AUDIENCE has no project id');

  const rolePermissions = parseRolePermissions(env.ROLE_PERMISSIONS, problems);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return { issuer, audience, jwksUri, tableName, rolePermissions };
}

/** Keys must travel over TLS, except from an issuer on this very machine. */
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
