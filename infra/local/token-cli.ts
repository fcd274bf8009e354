/**
 * `npm run -s token -- [--type pat|jwt|opaque] [--user <id>] [--org <orgId>] [--role ROLE ...] [--ttl 1h] [--claims]`
 * prints one token of the local server's dev ZITADEL (and nothing else, so `TOKEN=$(…)` works);
 * `npm run -s token -- revoke <token>` revokes one. Both change the dev ZITADEL's state in the data
 * folder, which the running server re-reads.
 */
import { parseArgs } from 'node:util';
import { DEMO_ORG_ID } from './seed.ts';
import { newZitadelId } from './action-records.ts';
import { exitQuietlyWhenStdoutCloses } from './closed-stdout.ts';
import { loadSigningKey, parseDuration, signingKeyPath } from './dev-issuer.ts';
import { DEMO_USER_ID } from './dev-zitadel/demo.ts';
import { createDevZitadel, DEV_PROJECT_ID, type DevZitadel } from './dev-zitadel/index.ts';
import { isInstanceRole, KNOWN_ROLES } from './dev-zitadel/role-permissions.ts';
import { readState, resolveDataDir, type LocalServerState } from './local-state.ts';

const USAGE = `Usage: npm run -s token -- [--type pat|jwt|opaque] [--user <id>] [--org <orgId>] [--role ROLE ...] [--ttl 1h] [--claims]
       npm run -s token -- revoke <token>      (the token as printed, even if it starts with "-")

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
revoke: the Auth API refuses the token at once (401), and so does npm start's API, whose decision cache
        is off unless AUTHZ_CACHE_SECONDS is set (then: within that many seconds). A JWT's signature
        stays valid: AUTHZ_MODE=claims never asks ZITADEL and accepts it until it expires.
Honours DATA_DIR (the server's data folder).`;

function main(argv: string[]): number {
  // `revoke <token>` takes the token as typed: a PAT may start with "-" (base64url), which parseArgs
  // would read as options, so everything after `revoke` is the operand (a leading `--` is allowed).
  if (argv[0] === 'revoke') return revoke(argv[1] === '--' ? argv.slice(2) : argv.slice(1));
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
  // A misspelled role would be a membership that grants nothing; in claims mode a project role
  // outside ZITADEL's names counts only if the server's ROLE_PERMISSIONS maps it, so it is a note there.
  const unknownRoles = roles.filter((role) => !KNOWN_ROLES.includes(role));
  if (unknownRoles.length > 0 && !values.claims) {
    return usage(`unknown role ${unknownRoles.map((role) => `"${role}"`).join(', ')}; known roles: ${KNOWN_ROLES.join(', ')}`);
  }
  if (unknownRoles.length > 0) {
    process.stderr.write(`Note: ${unknownRoles.join(', ')} is none of ${KNOWN_ROLES.join(', ')}: it counts only if the server's ROLE_PERMISSIONS maps it.\n`);
  }
  const org = values.org?.trim() || undefined;
  if (values.org !== undefined && org === undefined) return usage('--org must not be empty');

  const opened = openDevZitadel();
  if (typeof opened === 'number') return opened;
  const { devZitadel, state } = opened;

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

/** The dev ZITADEL of the data folder's server, or the exit code after saying why there is none. */
function openDevZitadel(): { devZitadel: DevZitadel; state: LocalServerState } | number {
  const dataDir = resolveDataDir(process.env);
  const state = readState(dataDir);
  if (state !== undefined && !state.devIssuer) {
    return error(`The local server trusts ${state.issuer} (ZITADEL_ISSUER), not the dev ZITADEL: get a token from that ZITADEL instance.`);
  }
  if (state === undefined || loadSigningKey(dataDir) === undefined) {
    return error(`No dev ZITADEL in ${dataDir} (no key at ${signingKeyPath(dataDir)}): start the local server once (npm start), then ask again.`);
  }
  return { devZitadel: createDevZitadel({ issuer: state.issuer, dataDir, projectId: state.audience[0] ?? DEV_PROJECT_ID }), state };
}

function revoke(operands: string[]): number {
  if (operands.length === 1 && (operands[0] === '--help' || operands[0] === '-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (operands.length !== 1) return usage('revoke takes exactly one token');
  const opened = openDevZitadel();
  if (typeof opened === 'number') return opened;
  if (!opened.devZitadel.revoke(operands[0] ?? '')) return error('Unknown token (or expired): nothing revoked.');
  process.stderr.write('Revoked.\n');
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

exitQuietlyWhenStdoutCloses();
try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.exitCode = error(err instanceof Error ? err.message : String(err));
}
