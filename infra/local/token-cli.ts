/**
 * `npm run -s token -- [--type pat|jwt|opaque] [--user <id>] [--org <orgId>] [--role ROLE ...] [--ttl 1h] [--claims]`
 * prints one token of the local server's dev ZITADEL (and nothing else, so `TOKEN=$(…)` works);
 * `npm run -s token -- revoke <token>` revokes one. Both change the dev ZITADEL's state in the data
 * folder, which the running server re-reads.
 */
import { parseArgs } from 'node:util';
import { DEMO_ORG_ID } from './seed.ts';
import { newZitadelId } from './action-records.ts';
import { loadSigningKey, parseDuration, signingKeyPath } from './dev-issuer.ts';
import { DEMO_USER_ID } from './dev-zitadel/demo.ts';
import { createDevZitadel, DEV_PROJECT_ID, type DevZitadel } from './dev-zitadel/index.ts';
import { isInstanceRole, KNOWN_ROLES } from './dev-zitadel/role-permissions.ts';
import { readState, resolveDataDir } from './local-state.ts';

const USAGE = `Usage: npm run -s token -- [--type pat|jwt|opaque] [--user <id>] [--org <orgId>] [--role ROLE ...] [--ttl 1h] [--claims]
       npm run -s token -- revoke <token>

Prints a token of the local server's dev ZITADEL (npm start), and only the token:
  --type    pat (default), jwt (a JWT access token) or opaque (an opaque access token)
  --user    the user (default: the demo user ${DEMO_USER_ID}; with --org, that organisation's
            first user, created if it has none); an unknown id is created in --org
  --org     the organisation (created if unknown); default the user's own
  --role    a manager role to give the user before the token is made; repeatable.
            IAM_* roles are instance memberships, the others memberships in --org.
            Known: ${KNOWN_ROLES.join(', ')}
  --ttl     lifetime: 90s, 15m, 1h, 7d (default 1h; a PAT 1 year)
  --claims  with --type jwt: for AUTHZ_MODE=claims, the roles go into the token as project roles
            (urn:zitadel:iam:org:project:roles and its per-project twin, default ORG_OWNER) with the
            organisation claim; no membership is added
revoke: the Auth API refuses the token at once (401); a JWT's signature stays valid.
Honours DATA_DIR (the server's data folder).`;

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        type: { type: 'string', default: 'pat' },
        user: { type: 'string' },
        org: { type: 'string' },
        role: { type: 'string', multiple: true },
        ttl: { type: 'string' },
        claims: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (err) {
    return usage((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const dataDir = resolveDataDir(process.env);
  const state = readState(dataDir);
  if (state !== undefined && !state.devIssuer) {
    return error(`The local server trusts ${state.issuer} (ZITADEL_ISSUER), not the dev ZITADEL: get a token from that ZITADEL instance.`);
  }
  if (state === undefined || loadSigningKey(dataDir) === undefined) {
    return error(`No dev ZITADEL in ${dataDir} (no key at ${signingKeyPath(dataDir)}): start the local server once (npm start), then ask again.`);
  }
  const devZitadel = createDevZitadel({ issuer: state.issuer, dataDir, projectId: state.audience[0] ?? DEV_PROJECT_ID });

  if (positionals[0] === 'revoke') {
    if (positionals.length !== 2) return usage('revoke takes exactly one token');
    if (!devZitadel.revoke(positionals[1] ?? '')) return error('Unknown token (or expired): nothing revoked.');
    process.stderr.write('Revoked.\n');
    return 0;
  }
  if (positionals.length > 0) return usage(`unexpected argument "${positionals[0]}"`);

  const type = values.type;
  if (type !== 'pat' && type !== 'jwt' && type !== 'opaque') return usage(`--type must be pat, jwt or opaque, got "${type}"`);
  if (values.claims && type !== 'jwt') return usage('--claims needs --type jwt');
  let ttlSeconds: number | undefined;
  if (values.ttl !== undefined) {
    ttlSeconds = parseDuration(values.ttl);
    if (ttlSeconds === undefined) return usage(`--ttl must be a duration such as 90s, 15m, 1h or 7d, got "${values.ttl}"`);
  }
  const roles = values.role ?? (values.claims ? ['ORG_OWNER'] : []);
  if (roles.some((role) => role.trim() === '')) return usage('--role must not be empty');
  const org = values.org?.trim() || undefined;
  if (values.org !== undefined && org === undefined) return usage('--org must not be empty');

  const userId = resolveUser(devZitadel, values.user?.trim() || undefined, org);
  const orgOfUser = org ?? ownOrg(devZitadel, userId);
  let token: string;
  if (values.claims) {
    token = devZitadel.issueJwt(userId, { ttlSeconds, roles: Object.fromEntries(roles.map((role) => [role, [orgOfUser]])), withOrgClaim: true });
  } else {
    for (const role of roles) devZitadel.addMembership(userId, isInstanceRole(role) ? { role } : { role, orgId: orgOfUser });
    token =
      type === 'pat'
        ? devZitadel.createPat(userId, ttlSeconds === undefined ? {} : { ttlSeconds })
        : type === 'jwt'
          ? devZitadel.issueJwt(userId, ttlSeconds === undefined ? {} : { ttlSeconds })
          : devZitadel.issueOpaque(userId, ttlSeconds === undefined ? {} : { ttlSeconds });
  }
  if (state.authzMode === 'claims' && !values.claims) {
    process.stderr.write('Note: the local server runs AUTHZ_MODE=claims, which accepts only --type jwt --claims tokens.\n');
  }
  process.stdout.write(`${token}\n`);
  return 0;
}

/**
 * The user the token is for: the one named (created in `org` if unknown), else the first user of
 * `org` (created if the organisation has none), else the demo user.
 */
function resolveUser(devZitadel: DevZitadel, userId: string | undefined, org: string | undefined): string {
  if (org !== undefined) devZitadel.addOrganization(org);
  if (userId !== undefined) {
    // addUser keeps an existing user as it is.
    if (devZitadel.userOrg(userId) === undefined) devZitadel.addUser({ id: userId, orgId: org ?? DEMO_ORG_ID });
    return userId;
  }
  if (org === undefined) return DEMO_USER_ID;
  const existing = devZitadel.usersOf(org)[0];
  if (existing !== undefined) return existing;
  const created = newZitadelId();
  devZitadel.addUser({ id: created, orgId: org });
  return created;
}

function ownOrg(devZitadel: DevZitadel, userId: string): string {
  const org = devZitadel.userOrg(userId);
  if (org === undefined) throw new Error(`unknown user ${userId}`);
  return org;
}

function usage(problem: string): number {
  process.stderr.write(`${problem}\n\n${USAGE}\n`);
  return 2;
}

function error(message: string): number {
  process.stderr.write(`${message}\n`);
  return 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.exitCode = error(err instanceof Error ? err.message : String(err));
}
