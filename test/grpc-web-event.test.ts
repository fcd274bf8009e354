/** The local server's payload 2.0 event for the gRPC-web route, as API Gateway's HTTP API builds it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromLambdaResult, matchRoute, toApiGatewayEvent } from '../infra/local/api-gateway-event.ts';

const PATH = '/zitadel.management.v1.ManagementService/DeactivateAction';

test('the gRPC-web path is a route of its own: POST only, exact path, no path parameters', () => {
  assert.deepEqual(matchRoute('POST', PATH), { routeKey: `POST ${PATH}`, pathParameters: {} });
  assert.equal(matchRoute('GET', PATH), undefined);
  assert.equal(matchRoute('POST', `${PATH}/x`), undefined);
  assert.equal(matchRoute('POST', '/zitadel.management.v1.ManagementService/ReactivateAction'), undefined);
});

test('binary and -text gRPC-web bodies arrive base64-encoded; the event has no pathParameters', () => {
  const body = Buffer.from([0, 0, 0, 0, 4, 0x0a, 0x02, 0x31, 0x32]);
  for (const contentType of ['application/grpc-web+proto', 'application/grpc-web-text']) {
    const event = toApiGatewayEvent(
      { method: 'POST', url: PATH, rawHeaders: ['Content-Type', contentType], body, sourceIp: '127.0.0.1', httpVersion: '1.1' },
      matchRoute('POST', PATH)!,
    );
    assert.equal(event.routeKey, `POST ${PATH}`);
    assert.equal(event.rawPath, PATH);
    assert.equal('pathParameters' in event, false);
    assert.equal(event.isBase64Encoded, true);
    assert.deepEqual(Buffer.from(event.body ?? '', 'base64'), body);
  }
});

test('a base64 result is sent as its bytes, with the gRPC headers as given', () => {
  const bytes = Buffer.from([0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0]);
  const response = fromLambdaResult({
    statusCode: 200,
    headers: { 'content-type': 'application/grpc-web+proto', 'grpc-status': '5' },
    body: bytes.toString('base64'),
    isBase64Encoded: true,
  });
  assert.deepEqual(response.body, bytes);
  assert.equal(response.headers['grpc-status'], '5');
});
