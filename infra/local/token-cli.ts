/**
 * `npm run -s token -- --org <orgId> --role ORG_OWNER [--role IAM_OWNER ...] [--sub <user>] [--ttl 1h]`
 * prints a dev access token signed with the local server's kept key, for its dev issuer.
 */
import { parseArgs } from 'node:util';
import { loadSigningKey, mintDevToken, parseDuration, signingKeyPath, DEFAULT_SUBJECT } from './dev-issuer.ts';
import { readState, resolveDataDir } from './local-state.ts';

const USAGE = `Usage: npm run -s token -- --org <orgId> [--role ORG_OWNER ...] [--sub <user>] [--ttl 1h]

Prints a dev access token for the local server (npm start), signed with its kept key:
  --org    the user's organisation (claim urn:zitadel:iam:user:resourceowner:id); required
  --role   a project role held in that organisation; repeatable (default ORG_OWNER)
  --sub    the user id (default ${DEFAULT_SUBJECT})
  --ttl    lifetime: 90s, 15m, 1h, 7d (default 1h)
Honours DATA_DIR (the server's data folder) and PORT (when the server never ran).`;

function main(argv: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        org: { type: 'string' },
        role: { type: 'string', multiple: true },
        sub: { type: 'string' },
        ttl: { type: 'string', default: '1h' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    return usage((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const org = values.org?.trim();
  if (!org) return usage('--org is required');
  const ttlSeconds = parseDuration(values.ttl);
  if (ttlSeconds === undefined) return usage(`--ttl must be a duration such as 90s, 15m, 1h or 7d, got "${values.ttl}"`);
  const roles = values.role ?? ['ORG_OWNER'];
  if (roles.some((role) => role.trim() === '')) return usage('--role must not be empty');

  const dataDir = resolveDataDir(process.env);
  const state = readState(dataDir);
  if (state !== undefined && !state.devIssuer) {
    return error(`The local server trusts ${state.issuer} (ZITADEL_ISSUER), not the dev issuer: get a token from that ZITADEL instance.`);
  }
  const key = loadSigningKey(dataDir);
  if (key === undefined) {
    return error(`No dev signing key at ${signingKeyPath(dataDir)}: start the local server once (npm start), then ask again.`);
  }
  const issuer = state?.issuer ?? `http://127.0.0.1:${process.env.PORT?.trim() || '8080'}`;
  const token = mintDevToken(key, {
    issuer,
    orgId: org,
    roles,
    ttlSeconds,
    ...(values.sub === undefined ? {} : { sub: values.sub }),
  });
  process.stdout.write(`${token}\n`);
  return 0;
}

function usage(problem: string): number {
  process.stderr.write(`${problem}\n\n${USAGE}\n`);
  return 2;
}

function error(message: string): number {
  process.stderr.write(`${message}\n`);
  return 1;
}

process.exitCode = main(process.argv.slice(2));
