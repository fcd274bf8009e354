/**
 * A real browser (Debian's headless chromium, driven by playwright-core) on another origin calls the local
 * server (`infra/local/server.ts`: API Gateway's CORS imitated, the real handler, the dev ZITADEL, dynalite):
 * the README's example (examples/web-app.ts, bundled for the page by esbuild) with `fetch` on the JSON route
 * and ZITADEL's own web client `@zitadel/client` on the gRPC-web route. The browser enforces CORS, so every
 * answer read here was readable by the page.
 *
 * Without chromium: one loud line and the suite is skipped; under CI=true chromium is required.
 * `CHROMIUM_PATH` names another binary.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import esbuild from 'esbuild';
import { chromium, type Browser, type Page as BrowserPage } from 'playwright-core';
import type { Api } from '../../examples/web-app.ts';
import { corsSettings, type CorsSettings } from '../../infra/cors.ts';
import { DEV_CLIENT_ID } from '../../infra/local/dev-zitadel/index.ts';
import { createLocalServer, type LambdaHandler } from '../../infra/local/server.ts';
import { putAction, tableSnapshot } from '../support/dynamodb.ts';
import { zitadelError } from '../support/api.ts';
import { startZitadelWorld, type ZitadelWorld } from '../support/zitadel-world.ts';
import type { Page } from './page.ts';

const INSTALL = 'apt-get update && apt-get install -y chromium';
/** `CHROMIUM_PATH` when set (only that), else Debian's or Ubuntu's package. */
const CANDIDATES = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const CHROMIUM = CANDIDATES.find((path) => existsSync(path));
if (CHROMIUM === undefined) {
  if (process.env.CI === 'true') throw new Error(`CI=true requires chromium for the browser tests. Install it: ${INSTALL}`);
  process.stderr.write(`\n!!! SKIPPING the browser tests: chromium not found. Install it: ${INSTALL}\n\n`);
}

const ORG = '370000000000000001';
const OWNER = '380000000000000001';
/** The two Code values the page reports (connect's enum). */
const FAILED_PRECONDITION = 9;
const PERMISSION_DENIED = 7;

/** The page: one HTML document and the bundled example, served from a loopback origin of its own. */
async function servePage(script: string): Promise<{ origin: string; server: Server }> {
  const html = '<!doctype html><meta charset="utf-8"><title>web app</title><script type="module" src="/page.js"></script>';
  const server = createServer((req, res) => {
    if (req.url === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('a web app on another origin, in chromium', { skip: CHROMIUM === undefined ? `chromium not found (${INSTALL})` : false, timeout: 120_000 }, () => {
  let world: ZitadelWorld;
  let browser: Browser;
  let invocations = 0;
  let nextAction = 0;
  const servers: Server[] = [];
  let appOrigin: string;
  let otherOrigin: string;

  /** The local server with the real handler, on `localhost` (another origin than the pages' 127.0.0.1). */
  async function serveApi(cors: CorsSettings): Promise<string> {
    const handler: LambdaHandler = (event, context) => {
      invocations++;
      return (world.handler as unknown as LambdaHandler)(event, context);
    };
    const server = createLocalServer({ handler: () => handler, cors });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    servers.push(server);
    return `http://localhost:${(server.address() as AddressInfo).port}`;
  }

  async function open(origin: string): Promise<BrowserPage> {
    const tab = await browser.newPage();
    await tab.goto(origin);
    await tab.waitForFunction(() => 'page' in globalThis);
    return tab;
  }
  /** Runs one of the page's calls in the browser; the result crosses as JSON. */
  function run(tab: BrowserPage, method: 'json', api: Api, actionId: string): ReturnType<Page['json']>;
  function run(tab: BrowserPage, method: 'grpcWeb', api: Api, actionId: string): ReturnType<Page['grpcWeb']>;
  function run(tab: BrowserPage, method: keyof Page, api: Api, actionId: string): Promise<unknown> {
    return tab.evaluate(
      ([name, a, id]): Promise<unknown> => (globalThis as unknown as { page: Page }).page[name](a, id),
      [method, api, actionId] as const,
    );
  }

  async function newAction(): Promise<string> {
    const id = `39000000000000${String(++nextAction).padStart(4, '0')}`;
    await putAction(world.dynamo.client, { resourceOwner: ORG, id, sequence: 1 });
    return id;
  }
  const stateOf = async (id: string) =>
    (await tableSnapshot(world.dynamo.client)).find((item) => item.id?.S === id)?.state?.S;

  before(async () => {
    world = await startZitadelWorld();
    world.zitadel.addOrganization(ORG, 'browser');
    world.zitadel.addUser({ id: OWNER, orgId: ORG });
    world.zitadel.addMembership(OWNER, { role: 'ORG_OWNER', orgId: ORG });
    const { outputFiles } = await esbuild.build({
      entryPoints: [resolve(import.meta.dirname, 'page.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const script = outputFiles[0]?.text ?? '';
    const app = await servePage(script);
    const other = await servePage(script);
    servers.push(app.server, other.server);
    appOrigin = app.origin;
    otherOrigin = other.origin;
    // The application the tokens are issued to allows the app's origin only (ZITADEL's AUTH-DZG21 for others).
    world.zitadel.configureApplication(DEV_CLIENT_ID, { redirectUris: [`${appOrigin}/auth/callback`] });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    await world?.close();
  });

  describe('CORS as ZITADEL answers it (every origin)', () => {
    let api: Api;
    let tab: BrowserPage;
    before(async () => {
      api = { url: await serveApi(corsSettings()), token: world.zitadel.issueJwt(OWNER) };
      tab = await open(appOrigin);
    });

    test('fetch on the JSON route: the success body, then ZITADEL’s error body, both readable by the page', async () => {
      const id = await newAction();
      const first = await run(tab, 'json', api, id);
      assert.ok(first.ok, JSON.stringify(first));
      assert.equal(first.status, 200);
      assert.equal((first.body as any).details.resourceOwner, ORG);
      assert.equal((first.body as any).details.sequence, '2');
      assert.equal(await stateOf(id), 'INACTIVE');

      const again = await run(tab, 'json', api, id);
      assert.ok(again.ok, JSON.stringify(again));
      assert.equal(again.status, 400);
      assert.deepEqual(again.body, zitadelError(FAILED_PRECONDITION, 'COMMAND-Dgj92', 'Action is not active'));
    });

    test('@zitadel/client’s web transport on the gRPC-web route: details, then a ConnectError with ZITADEL’s code and message', async () => {
      const id = await newAction();
      const first = await run(tab, 'grpcWeb', api, id);
      assert.ok(first.ok, JSON.stringify(first));
      assert.deepEqual({ sequence: first.details.sequence, resourceOwner: first.details.resourceOwner }, { sequence: '2', resourceOwner: ORG });
      assert.match(first.details.creationDate ?? '', /^\d{4}-\d\d-\d\dT/);
      assert.equal(await stateOf(id), 'INACTIVE');

      const again = await run(tab, 'grpcWeb', api, id);
      assert.equal(again.ok, false);
      assert.deepEqual(again, {
        ok: false,
        connectError: true,
        code: FAILED_PRECONDITION,
        rawMessage: 'Action is not active (COMMAND-Dgj92)',
        details: [{ id: 'COMMAND-Dgj92', message: 'Action is not active' }],
        described: '9 Action is not active (COMMAND-Dgj92)',
      });
    });

    test('an origin the token’s application does not allow: ZITADEL’s AUTH-DZG21 on both routes, readable, nothing written', async () => {
      const other = await open(otherOrigin);
      const id = await newAction();
      const snapshot = await tableSnapshot(world.dynamo.client);
      const json = await run(other, 'json', api, id);
      assert.ok(json.ok, JSON.stringify(json));
      assert.equal(json.status, 403);
      assert.deepEqual(json.body, zitadelError(PERMISSION_DENIED, 'AUTH-DZG21', 'Errors.OriginNotAllowed'));
      const grpc = await run(other, 'grpcWeb', api, id);
      assert.equal(grpc.ok, false);
      assert.equal(grpc.connectError, true);
      assert.equal(grpc.code, PERMISSION_DENIED);
      assert.equal(grpc.rawMessage, 'Errors.OriginNotAllowed (AUTH-DZG21)');
      assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot, 'nothing written');
      assert.equal(await stateOf(id), 'ACTIVE');
      await other.close();
    });
  });

  describe('CORS restricted to the app’s origin (-c corsAllowOrigins / CORS_ALLOW_ORIGINS)', () => {
    let api: Api;
    before(async () => {
      // A PAT: no application, so ZITADEL's own origin check would let any origin through; CORS alone refuses.
      api = { url: await serveApi(corsSettings(appOrigin)), token: world.zitadel.createPat(OWNER) };
    });

    test('another origin: the browser’s preflight is refused, the request is never sent, nothing written', async () => {
      const other = await open(otherOrigin);
      const id = await newAction();
      const before = invocations;
      const snapshot = await tableSnapshot(world.dynamo.client);
      const json = await run(other, 'json', api, id);
      assert.deepEqual(json, { ok: false, error: 'TypeError: Failed to fetch' });
      const grpc = await run(other, 'grpcWeb', api, id);
      assert.equal(grpc.ok, false);
      // What connect-web makes of fetch's TypeError: Unknown (2), the browser's message.
      assert.deepEqual({ code: grpc.code, rawMessage: grpc.rawMessage }, { code: 2, rawMessage: 'Failed to fetch' });
      assert.equal(invocations, before, 'the function never ran');
      assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot, 'nothing written');
      await other.close();
    });

    test('the listed origin completes both routes', async () => {
      const tab = await open(appOrigin);
      const viaJson = await run(tab, 'json', api, await newAction());
      assert.ok(viaJson.ok && viaJson.status === 200, JSON.stringify(viaJson));
      const viaGrpc = await run(tab, 'grpcWeb', api, await newAction());
      assert.ok(viaGrpc.ok, JSON.stringify(viaGrpc));
      await tab.close();
    });
  });
});
