import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEACTIVATE_ROUTE_KEY,
  fromLambdaResult,
  matchRoute,
  toApiGatewayEvent,
  type RawRequest,
} from '../../infra/local/api-gateway-event.ts';

const request = (overrides: Partial<RawRequest> = {}): RawRequest => ({
  method: 'POST',
  url: '/management/v1/actions/123/_deactivate',
  rawHeaders: ['Host', '127.0.0.1:8080', 'Content-Type', 'application/json'],
  body: Buffer.from('{}'),
  sourceIp: '127.0.0.1',
  httpVersion: '1.1',
  ...overrides,
});

describe('routing as the HTTP API does', () => {
  test('only POST /management/v1/actions/{id}/_deactivate, {id} one non-empty segment, decoded', () => {
    assert.deepEqual(matchRoute('POST', '/management/v1/actions/69629023906488334/_deactivate'), {
      routeKey: DEACTIVATE_ROUTE_KEY,
      pathParameters: { id: '69629023906488334' },
    });
    assert.deepEqual(matchRoute('POST', '/management/v1/actions/a%20b%2Fc/_deactivate')?.pathParameters, { id: 'a b/c' });
    assert.equal(matchRoute('POST', '/management/v1/actions/%E0%A4%A/_deactivate')?.pathParameters.id, '%E0%A4%A');
    for (const [method, path] of [
      ['GET', '/management/v1/actions/1/_deactivate'],
      ['PUT', '/management/v1/actions/1/_deactivate'],
      ['POST', '/management/v1/actions//_deactivate'],
      ['POST', '/management/v1/actions/1/2/_deactivate'],
      ['POST', '/management/v1/actions/1/_deactivate/'],
      ['POST', '/management/v1/actions/1/_activate'],
      ['POST', '/'],
    ] as const) {
      assert.equal(matchRoute(method, path), undefined, `${method} ${path}`);
    }
  });
});

describe('payload format 2.0 event', () => {
  test('headers lowercase, repeats joined by ",", cookies apart, query kept raw and parsed', () => {
    const event = toApiGatewayEvent(
      request({
        url: '/management/v1/actions/a%20b/_deactivate?x=1&x=2&y=%20z',
        rawHeaders: ['Host', 'h', 'X-Dup', 'one', 'x-dup', 'two', 'Cookie', 'a=1; b=2', 'Content-Type', 'application/json'],
      }),
      { routeKey: DEACTIVATE_ROUTE_KEY, pathParameters: { id: 'a b' } },
      new Date('2026-11-26T08:00:00.000Z'),
    );
    assert.equal(event.version, '2.0');
    assert.equal(event.routeKey, DEACTIVATE_ROUTE_KEY);
    assert.equal(event.rawPath, '/management/v1/actions/a b/_deactivate');
    assert.equal(event.rawQueryString, 'x=1&x=2&y=%20z');
    assert.deepEqual(event.queryStringParameters, { x: '1,2', y: ' z' });
    assert.deepEqual(event.headers, { host: 'h', 'x-dup': 'one,two', 'content-type': 'application/json' });
    assert.deepEqual(event.cookies, ['a=1', 'b=2']);
    assert.deepEqual(event.pathParameters, { id: 'a b' });
    assert.equal(event.body, '{}');
    assert.equal(event.isBase64Encoded, false);
    assert.equal(event.requestContext.http.method, 'POST');
    assert.equal(event.requestContext.http.sourceIp, '127.0.0.1');
    assert.equal(event.requestContext.routeKey, DEACTIVATE_ROUTE_KEY);
    assert.equal(event.requestContext.timeEpoch, Date.parse('2026-11-26T08:00:00.000Z'));
    assert.equal(event.requestContext.time, '26/Nov/2026:08:00:00 +0000');
    assert.match(event.requestContext.requestId, /^[0-9a-f-]{36}$/);
  });

  test('a non-text body is base64-encoded; an empty body is absent', () => {
    const route = { routeKey: DEACTIVATE_ROUTE_KEY, pathParameters: { id: '1' } };
    const binary = toApiGatewayEvent(request({ rawHeaders: ['Content-Type', 'application/octet-stream'], body: Buffer.from([0, 255]) }), route);
    assert.equal(binary.isBase64Encoded, true);
    assert.equal(binary.body, 'AP8=');
    const untyped = toApiGatewayEvent(request({ rawHeaders: [], body: Buffer.from('{}') }), route);
    assert.equal(untyped.isBase64Encoded, true);
    const empty = toApiGatewayEvent(request({ body: Buffer.alloc(0) }), route);
    assert.equal('body' in empty, false);
    assert.equal(empty.isBase64Encoded, false);
  });

  test('results: structured as given, base64 decoded, anything else a 200 JSON body', () => {
    const structured = fromLambdaResult({ statusCode: 400, headers: { 'Content-Type': 'application/json' }, body: '{"code":9}' });
    assert.equal(structured.statusCode, 400);
    assert.deepEqual(structured.headers, { 'content-type': 'application/json' });
    assert.equal(structured.body.toString(), '{"code":9}');
    assert.equal(fromLambdaResult({ statusCode: 200, body: 'AP8=', isBase64Encoded: true }).body.toString('hex'), '00ff');
    const inferred = fromLambdaResult({ ok: true });
    assert.equal(inferred.statusCode, 200);
    assert.equal(inferred.body.toString(), '{"ok":true}');
  });
});
