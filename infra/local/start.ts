/**
 * `npm start`: the API on loopback with everything it needs, on embedded defaults — dynalite
 * with its data in the data folder, a dev issuer whose key is kept there, a seeded demo
 * organisation — and the deployed handler (`createHandler`) answering the requests.
 */
import { relative } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigError, loadConfig, type Config } from '../../functions/deactivate-action/config.ts';
import { corsSettings, CorsOriginError } from '../cors.ts';
import { createDynamoDBClient, createHandler } from '../../functions/deactivate-action/handler.ts';
import { findActiveAction } from './action-records.ts';
import { deactivateCurl } from './curl-command.ts';
import { seedDemoIdentity, DEMO_USER_ID } from './dev-zitadel/demo.ts';
import { createDevZitadel, DEV_PROJECT_ID, type DevZitadel } from './dev-zitadel/index.ts';
import { applyLocalAwsDefaults, ensureActionsTable, parseLocalEngine, startLocalDynamoDB, type EmbeddedDynamoDB } from './embedded-dynamodb.ts';
import { acquireDataLock, DataDirError, prepareDataDir, REPO_ROOT, resolveDataDir, restrictDataFolder, writeState } from './local-state.ts';
import { DEMO_ORG_ID, seedIfEmpty } from './seed.ts';
import { createLocalServer, type LambdaHandler } from './server.ts';

const DEFAULT_PORT = 8080;
const DEFAULT_TABLE = 'actions';
/** Security finding 7: the banner's token is printed on every start, so it lives one hour only. */
const PRINTED_TOKEN_TTL_SECONDS = 3600;
const HOST = '127.0.0.1';
/**
 * Locally a revoked token, a removed membership or a deactivated user counts at the next call
 * (what `npm run token -- revoke` promises): no decision cache unless AUTHZ_CACHE_SECONDS says so.
 * The deployed function's default stays 30 s (functions/deactivate-action/config.ts).
 */
const LOCAL_AUTHZ_CACHE_SECONDS = '0';

const env = process.env;
const say = (line = '') => process.stdout.write(`${line}\n`);

/** A reason not to start, told in one line (no stack). */
class StartupError extends Error {
  override name = 'StartupError';
}
const fail = (message: string): never => {
  throw new StartupError(message);
};

/** What has to be undone on the way out, in reverse order of start. */
const cleanups: (() => Promise<void> | void)[] = [];
let stopping = false;

/** Longest clean stop; past it the process exits anyway. */
const STOP_DEADLINE_MS = 10_000;

/**
 * Ctrl+C or SIGTERM: a clean stop. Under `npm start` one Ctrl+C reaches the server twice (from
 * the terminal and forwarded by npm), so a repeat within a second is the same request; a later
 * one forces the exit.
 */
let firstSignalAt = 0;
function onSignal(signal: NodeJS.Signals): void {
  if (firstSignalAt === 0) {
    firstSignalAt = Date.now();
    say(`${signal}: stopping`);
    void stop(0);
  } else if (Date.now() - firstSignalAt > 1_000) {
    process.stderr.write('Forced stop.\n');
    process.exit(130);
  }
}

async function stop(code: number): Promise<never> {
  if (stopping) return new Promise<never>(() => undefined);
  stopping = true;
  setTimeout(() => {
    process.stderr.write(`Could not stop cleanly within ${STOP_DEADLINE_MS / 1000} s; exiting.\n`);
    process.exit(1);
  }, STOP_DEADLINE_MS).unref();
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (err) {
      process.stderr.write(`while stopping: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  if (code === 0) say('Stopped.');
  process.exit(code);
}

async function main(): Promise<void> {
  const port = parsePort(env.PORT);
  const dataDir = resolveDataDir(env);
  // Before the port or anything else: a data folder that cannot be used is one line and exit 1.
  prepareDataDir(dataDir, env);
  const table = env.ACTIONS_TABLE?.trim() || DEFAULT_TABLE;
  const externalIssuer = env.ZITADEL_ISSUER?.trim() || undefined;
  const externalDynamoDB = env.AWS_ENDPOINT_URL_DYNAMODB?.trim() || undefined;
  const localEngine = parseLocalEngine(env.LOCAL_DYNAMODB);
  if (typeof localEngine === 'object') return fail(localEngine.problem);
  // The HTTP API's CORS (`-c corsAllowOrigins` in the stack): every origin unless CORS_ALLOW_ORIGINS lists some.
  const cors = (() => {
    try {
      return corsSettings(env.CORS_ALLOW_ORIGINS);
    } catch (err) {
      return err instanceof CorsOriginError ? fail(err.message.replace(/^corsAllowOrigins/, 'CORS_ALLOW_ORIGINS')) : fail(String(err));
    }
  })();

  // The function's own variables, as the stack sets them; with the dev ZITADEL it is both the
  // issuer and the Auth API.
  const configFor = (issuer: string): Config =>
    loadConfig({
      ACTIONS_TABLE: table,
      ROLE_PERMISSIONS: env.ROLE_PERMISSIONS,
      AUTHZ_MODE: env.AUTHZ_MODE,
      AUTHZ_CACHE_SECONDS: env.AUTHZ_CACHE_SECONDS?.trim() ? env.AUTHZ_CACHE_SECONDS : LOCAL_AUTHZ_CACHE_SECONDS,
      ...(externalIssuer === undefined
        ? { ZITADEL_ISSUER: issuer, ZITADEL_AUDIENCE: DEV_PROJECT_ID, ZITADEL_PROJECT_ID: DEV_PROJECT_ID, ZITADEL_API_URL: issuer }
        : {
            ZITADEL_ISSUER: externalIssuer,
            ZITADEL_AUDIENCE: env.ZITADEL_AUDIENCE,
            ZITADEL_JWKS_URI: env.ZITADEL_JWKS_URI,
            ZITADEL_PROJECT_ID: env.ZITADEL_PROJECT_ID,
            ZITADEL_API_URL: env.ZITADEL_API_URL,
          }),
    });
  // The configuration is checked before anything is bound or opened.
  if (externalIssuer !== undefined && env.AUTHZ_MODE?.trim() === 'claims' && !env.ZITADEL_AUDIENCE?.trim()) {
    fail('ZITADEL_ISSUER is set in claims mode, so ZITADEL_AUDIENCE (the project id its tokens are issued for) is required too.');
  }
  // The function's own check (loadConfig) says which mode is in force, or why none is.
  const { authzMode, cacheSeconds } = configFor(`http://${HOST}:${port || DEFAULT_PORT}`);
  if (externalIssuer === undefined && (env.ZITADEL_AUDIENCE || env.ZITADEL_JWKS_URI || env.ZITADEL_PROJECT_ID || env.ZITADEL_API_URL)) {
    say('Note: ZITADEL_AUDIENCE / ZITADEL_JWKS_URI / ZITADEL_PROJECT_ID / ZITADEL_API_URL are ignored without ZITADEL_ISSUER (the dev ZITADEL is used).');
  }
  applyLocalAwsDefaults(env);
  // Security finding 7: whatever this process creates in the data folder (dynalite's files, the
  // state files, the lock) is the owner's alone.
  process.umask(0o077);
  // The handler's logger, as in the stack (POWERTOOLS_SERVICE_NAME there too).
  env.POWERTOOLS_SERVICE_NAME ??= 'deactivate-action';

  // 1. The port first: if it is taken (often by this very server), nothing else gets opened.
  let handler: LambdaHandler | undefined;
  let devZitadel: DevZitadel | undefined;
  const server = createLocalServer({
    handler: () => handler,
    devZitadel: () => devZitadel,
    logError: (line) => process.stderr.write(`${line}\n`),
    cors,
  });
  await listen(server, port);
  cleanups.push(() => closeServer(server));
  const url = `http://${HOST}:${(server.address() as AddressInfo).port}`;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // 2. The data folder: one server at a time.
  const lock = acquireDataLock(dataDir);
  if ('heldBy' in lock) {
    return fail(`The data folder ${dataDir} is in use by another local server (pid ${lock.heldBy}). Stop it, or start with another DATA_DIR.`);
  }
  cleanups.push(lock.release);
  if (!restrictDataFolder(dataDir).folderRestricted) {
    say(`Note: ${dataDir} holds other files too, so its own mode was left as it is; the server's files in it are owner-only.`);
  }

  // 3. DynamoDB: the embedded engine (LOCAL_DYNAMODB: dynalite or dynamodb-local), or the endpoint given.
  let embedded: (EmbeddedDynamoDB & { description: string }) | undefined;
  if (externalDynamoDB === undefined) {
    embedded = await startLocalDynamoDB(localEngine, dataDir).catch((err: unknown) =>
      fail(err instanceof Error ? err.message : String(err)),
    );
    cleanups.push(embedded.close);
    env.AWS_ENDPOINT_URL_DYNAMODB = embedded.endpoint;
  }
  const dynamodbEndpoint = embedded?.endpoint ?? externalDynamoDB ?? '';
  const admin = new DynamoDBClient({ maxAttempts: 2 });
  cleanups.push(() => admin.destroy());
  try {
    await ensureActionsTable(admin, table);
  } catch (err) {
    fail(`DynamoDB at ${dynamodbEndpoint} is not usable: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  }
  const seeded = await seedIfEmpty(admin, table);

  // 4. The ZITADEL the handler trusts: the dev ZITADEL on this server, or the one given.
  const config = configFor(url);
  if (externalIssuer === undefined) {
    const dev = createDevZitadel({ issuer: config.issuer, dataDir, projectId: DEV_PROJECT_ID });
    seedDemoIdentity(dev, DEMO_ORG_ID);
    devZitadel = dev;
  }

  // 5. The deployed handler, with the production DynamoDB client (endpoint from the environment).
  const dynamodb = createDynamoDBClient();
  cleanups.push(() => dynamodb.destroy());
  handler = createHandler({ config, dynamodb });

  // For the token and actions CLIs; after a stop it still names the issuer, without a pid.
  const state = {
    pid: process.pid,
    url,
    issuer: config.issuer,
    devIssuer: devZitadel !== undefined,
    audience: config.audience,
    dynamodbEndpoint,
    embeddedDynamoDB: embedded !== undefined,
    table,
    startedAt: new Date().toISOString(),
    authzMode,
  };
  writeState(dataDir, state);
  cleanups.push(() => writeState(dataDir, { ...state, pid: null }));

  // 6. Tell the newcomer what to do.
  const shownDataDir = relative(REPO_ROOT, dataDir).startsWith('..') ? dataDir : relative(REPO_ROOT, dataDir);
  say(`Deactivate Action API listening on ${url}`);
  say(`  route:    POST ${url}/management/v1/actions/{id}/_deactivate`);
  say(`  CORS:     ${cors.allowOrigins.join(', ')}${cors.allowOrigins.includes('*') ? ' (every origin, as ZITADEL; CORS_ALLOW_ORIGINS to restrict)' : ' (CORS_ALLOW_ORIGINS)'}`);
  say(
    embedded === undefined
      ? `  DynamoDB: ${dynamodbEndpoint} (AWS_ENDPOINT_URL_DYNAMODB), table "${table}"`
      : `  DynamoDB: ${embedded.description.replace(dataDir, shownDataDir)}, table "${table}"`,
  );
  say(
    devZitadel === undefined
      ? `  issuer:   ${config.issuer} (ZITADEL_ISSUER), authorization mode ${authzMode}`
      : `  issuer:   dev ZITADEL ${config.issuer} (keys, Auth API), project ${DEV_PROJECT_ID}, authorization mode ${authzMode}`,
  );
  if (authzMode === 'zitadel') {
    const source = env.AUTHZ_CACHE_SECONDS?.trim() ? 'AUTHZ_CACHE_SECONDS' : `AUTHZ_CACHE_SECONDS unset: ${LOCAL_AUTHZ_CACHE_SECONDS} locally, 30 when deployed`;
    say(
      cacheSeconds === 0
        ? `  cache:    off (${source}): every call asks ZITADEL, so a revoked token is refused at the next call`
        : `  cache:    ZITADEL's answers reused for ${cacheSeconds} s (${source}): a revoked token still works for up to ${cacheSeconds} s`,
    );
  }
  say(
    seeded === undefined
      ? '  seed:     the table already has data; not seeded'
      : `  seed:     demo organisation ${DEMO_ORG_ID} with ${seeded.length} ACTIVE actions`,
  );

  const active = await findActiveAction(admin, table, DEMO_ORG_ID);
  if (active === undefined) {
    say();
    say('No ACTIVE action left to deactivate. Create one:');
    say(`  npm run actions -- create --org ${DEMO_ORG_ID}`);
  } else {
    say();
    let token = '<access token from your ZITADEL instance>';
    let who = '';
    if (devZitadel !== undefined) {
      // The demo user is ORG_OWNER of the demo organisation: a PAT for ZITADEL's Auth API, or in
      // claims mode a JWT carrying that role as a project role.
      const ttlSeconds = PRINTED_TOKEN_TTL_SECONDS;
      token =
        authzMode === 'zitadel'
          ? devZitadel.createPat(DEMO_USER_ID, { ttlSeconds })
          : devZitadel.issueJwt(DEMO_USER_ID, { ttlSeconds, roles: { ORG_OWNER: [active.resourceOwner] }, withOrgClaim: true });
      who = ` (token: ${authzMode === 'zitadel' ? 'a PAT' : 'a JWT with project roles'} of user ${DEMO_USER_ID}, ORG_OWNER there, valid ${ttlSeconds / 3600}h)`;
    }
    say(`Deactivate action ${active.id} ("${active.name}") of organisation ${active.resourceOwner}${who}:`);
    say(deactivateCurl(url, active.id, token));
  }
  say();
  if (devZitadel !== undefined) say('More tokens:  npm run -s token -- [--type pat|jwt|opaque] [--user <id>] [--org <orgId>] [--role ORG_OWNER] [--ttl 1h]   /   npm run -s token -- revoke <token>');
  say(`Actions:      npm run actions -- list --org ${DEMO_ORG_ID}   /   npm run actions -- create --org <orgId> [--name <name>]`);
  say('Stop with Ctrl+C.');
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || port > 65535) fail(`PORT must be a port number (0-65535), got "${raw}".`);
  return port;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const message =
        err.code === 'EADDRINUSE'
          ? `Port ${port} on ${HOST} is already in use. Stop what is using it, or start on another port: PORT=${port + 1} npm start`
          : err.code === 'EACCES'
            ? `Not allowed to listen on port ${port} on ${HOST}. Use a port above 1023: PORT=${DEFAULT_PORT} npm start`
            : `Cannot listen on ${HOST}:${port}: ${err.message}`;
      reject(new StartupError(message));
    });
    server.listen(port, HOST, () => resolve());
  });
}

/** Stops accepting, lets requests in flight finish (up to 3 s), then closes every connection. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), 3_000);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

main().catch(async (err: unknown) => {
  if (err instanceof ConfigError || err instanceof StartupError || err instanceof DataDirError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`Local server failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  await stop(1);
});
