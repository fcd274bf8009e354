/** gRPC-web framing details the end-to-end tests do not reach with ZITADEL's ASCII messages. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeText, encodingOf, percentEncodeMessage, unaryMessage } from '../functions/http/grpc-web/protocol.ts';

test('grpc-message is percent-encoded as PROTOCOL-HTTP2.md says: printable ASCII except % as is, the rest as UTF-8 %XX', () => {
  assert.equal(percentEncodeMessage('Errors.Action.NotFound (COMMAND-NRmhu)'), 'Errors.Action.NotFound (COMMAND-NRmhu)');
  assert.equal(percentEncodeMessage('100% sicher: Aktion läuft\n'), '100%25 sicher: Aktion l%C3%A4uft%0A');
  assert.equal(decodeURIComponent(percentEncodeMessage('ä € 😀 %')), 'ä € 😀 %');
});

test('content types: grpc-web(+proto) binary, grpc-web-text(+proto) text, parameters and case ignored, others not ours', () => {
  assert.equal(encodingOf('application/grpc-web'), 'binary');
  assert.equal(encodingOf('Application/GRPC-Web+Proto; charset=utf-8'), 'binary');
  assert.equal(encodingOf('application/grpc-web-text'), 'text');
  assert.equal(encodingOf('application/grpc-web-text+proto'), 'text');
  for (const other of [undefined, '', 'application/grpc', 'application/grpc+proto', 'application/grpc-web+json', 'application/json']) {
    assert.equal(encodingOf(other), undefined, String(other));
  }
});

test('a unary body is one data frame exactly; -text is strict base64', () => {
  assert.deepEqual(unaryMessage(Uint8Array.from([0, 0, 0, 0, 0])), new Uint8Array(0), 'an empty message is a message');
  assert.deepEqual(unaryMessage(Uint8Array.from([0, 0, 0, 0, 1, 7])), Uint8Array.from([7]));
  assert.equal(unaryMessage(Uint8Array.from([0, 0, 0, 0, 1, 7, 8])), undefined, 'trailing bytes');
  assert.equal(unaryMessage(Uint8Array.from([0, 0, 0, 0])), undefined, 'short header');
  assert.deepEqual([...(decodeText('AAAAAAA=') ?? [])], [0, 0, 0, 0, 0]);
  assert.equal(decodeText('AAAAAAA'), undefined, 'unpadded');
  assert.equal(decodeText('AAAA AAA='), undefined, 'a space');
  assert.equal(decodeText('AA-_AAA='), undefined, 'base64url');
});
