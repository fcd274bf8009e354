/**
 * The local server's CORS, imitating API Gateway's (infra/local/gateway-cors.ts) with ZITADEL's answer
 * (infra/cors.ts): preflights answered by the "gateway" and never by the function, the configured headers on
 * the function's answers for an allowed origin, none for another. Real handler, dev ZITADEL and dynalite;
 * node's fetch does not enforce CORS, so every header can be read here (the browser test does the enforcing).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { corsSettings, type CorsSettings } from '../../infra/cors.ts';
import { originMatches } from '../../infra/local/gateway-cors.ts';
import { createLocalServer, type LambdaHandler } from '../../infra/local/server.ts';
import { cleanEnv, REPO, startNpmStart, type LocalServer } from '../support/npm-start.ts';
import { freePort } from '../support/ports.ts';
import { startZitadelWorld, type ZitadelWorld } from '../support/zitadel-world.ts';

const run = promisify(execFile);

const JSON_PATH = '/management/v1/actions/69629023906488334/_deactivate';
const GRPC_PATH = '/zitadel.management.v1.ManagementService/DeactivateAction';
const PAGE = 'http://127.0.0.1:5173';

let world: ZitadelWorld;
let invocations = 0;
before(async () => {
  world = await startZitadelWorld();
});
after(() => world.close());

async function serve(cors: CorsSettings): Promise<{ url: string; close: () => Promise<void> }> {
  const handler: LambdaHandler = (event, context) => {
    invocations++;
    return (world.handler as unknown as LambdaHandler)(event, context);
  };
  const server: Server = createLocalServer({ handler: () => handler, cors });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const accessControl = (headers: Headers) =>
  Object.fromEntries([...headers].filter(([name]) => name.startsWith('access-control-')).sort(([a], [b]) => a.localeCompare(b)));

const preflight = (url: string, path: string, origin: string, requestHeaders = 'authorization,content-type,x-zitadel-orgid') =>
  fetch(`${url}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders },
  });

describe('every origin (the default, as ZITADEL)', () => {
  let api: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    api = await serve(corsSettings());
  });
  after(() => api.close());

  test('a preflight on either route is the gateway’s 204 with ZITADEL’s methods and headers; the function never runs', async () => {
    const before = invocations;
    for (const path of [JSON_PATH, GRPC_PATH, '/no/such/route']) {
      const res = await preflight(api.url, path, PAGE, 'content-type,x-grpc-web,x-user-agent,authorization');
      assert.equal(res.status, 204, path);
      assert.equal(await res.text(), '');
      assert.deepEqual(accessControl(res.headers), {
        'access-control-allow-headers':
          'origin,content-type,accept,accept-language,authorization,x-zitadel-orgid,x-user-agent,x-grpc-web,x-requested-with,connect-protocol-version,connect-timeout-ms,grpc-timeout,u-a',
        'access-control-allow-methods': 'OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE',
        'access-control-allow-origin': '*',
        'access-control-max-age': '600',
      });
    }
    assert.equal(invocations, before, 'no preflight reached the function');
  });

  test('OPTIONS that is not a preflight (no Access-Control-Request-Method) is routed: no OPTIONS route, 404', async () => {
    const before = invocations;
    const res = await fetch(`${api.url}${JSON_PATH}`, { method: 'OPTIONS', headers: { origin: PAGE } });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { message: 'Not Found' });
    assert.equal(invocations, before);
  });

  test('the function’s answer (here ZITADEL’s 401) gets allow-origin * and the exposed headers', async () => {
    const before = invocations;
    const res = await fetch(`${api.url}${JSON_PATH}`, { method: 'POST', headers: { origin: PAGE, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { code: 16, message: 'auth header missing' });
    assert.deepEqual(accessControl(res.headers), {
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'location,content-length,grpc-status,grpc-message,grpc-status-details-bin',
    });
    assert.equal(invocations, before + 1);
  });

  test('without an Origin header no CORS header is added', async () => {
    const res = await fetch(`${api.url}${JSON_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 401);
    assert.deepEqual(accessControl(res.headers), {});
  });
});

describe('a list of origins (-c corsAllowOrigins / CORS_ALLOW_ORIGINS)', () => {
  let api: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    api = await serve(corsSettings(`${PAGE},https://*.example.com`));
  });
  after(() => api.close());

  test('a listed origin: the preflight and the answer name that origin and allow credentials, as ZITADEL', async () => {
    const pre = await preflight(api.url, GRPC_PATH, PAGE);
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), PAGE);
    assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
    const res = await fetch(`${api.url}${JSON_PATH}`, { method: 'POST', headers: { origin: 'https://console.example.com', 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://console.example.com');
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
  });

  test('another origin: the preflight is a 204 without any CORS header (the browser stops there), the function never runs', async () => {
    const before = invocations;
    const res = await preflight(api.url, JSON_PATH, 'http://127.0.0.1:9999');
    assert.equal(res.status, 204);
    assert.deepEqual(accessControl(res.headers), {});
    assert.equal(invocations, before);
    // A request sent anyway (not by a browser) reaches the function, as through API Gateway, and gets no CORS header.
    const post = await fetch(`${api.url}${JSON_PATH}`, { method: 'POST', headers: { origin: 'https://example.com', 'content-type': 'application/json' }, body: '{}' });
    assert.equal(post.status, 401);
    assert.deepEqual(accessControl(post.headers), {});
  });
});

test('origin patterns: exact without case, *. for subdomains only', () => {
  assert.ok(originMatches('https://a.example.com', 'HTTPS://A.example.com'));
  assert.ok(!originMatches('https://a.example.com', 'https://a.example.com:8443'));
  assert.ok(originMatches('https://*.example.com', 'https://x.y.example.com'));
  assert.ok(!originMatches('https://*.example.com', 'https://example.com'));
  assert.ok(!originMatches('https://*.example.com', 'http://x.example.com'));
  assert.ok(!originMatches('https://*.example.com', 'https://evil.com/.example.com'));
  assert.ok(!originMatches('https://*.example.com', 'https://x.evilexample.com'));
});

describe('npm start: CORS_ALLOW_ORIGINS', { timeout: 60_000 }, () => {
  let server: LocalServer | undefined;
  after(() => server?.stop());

  test('a value that is not an origin: npm start refuses to start, naming the variable', async () => {
    const refused = await run('npm', ['start'], { cwd: REPO, env: cleanEnv({ PORT: String(await freePort()), CORS_ALLOW_ORIGINS: 'https://app.example.com/' }), timeout: 30_000 }).then(
      () => assert.fail('npm start started'),
      (err: unknown) => err as { code: number; stdout: string; stderr: string },
    );
    const output = `${refused.stdout}${refused.stderr}`;
    assert.equal(refused.code, 1, output);
    assert.match(output, /CORS_ALLOW_ORIGINS: "https:\/\/app\.example\.com\/" is not an origin/);
  });

  test('the listed origin gets the gateway’s preflight answer, another none', async () => {
    server = await startNpmStart({ CORS_ALLOW_ORIGINS: 'https://app.example.com' });
    assert.match(server.output(), /^ {2}CORS: {5}https:\/\/app\.example\.com \(CORS_ALLOW_ORIGINS\)$/m);
    const { url } = server;
    const allowed = await preflight(url, GRPC_PATH, 'https://app.example.com');
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.equal(allowed.headers.get('access-control-allow-credentials'), 'true');
    const refused = await preflight(url, GRPC_PATH, 'https://other.example.com');
    assert.equal(refused.status, 204);
    assert.deepEqual(accessControl(refused.headers), {});
  });
});
