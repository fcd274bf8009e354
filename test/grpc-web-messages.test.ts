/**
 * The binding's wire codec (functions/http/grpc-web/messages.ts, @bufbuild/protobuf's reader and
 * writer) against the code generated from proto/ by protoc-gen-es: what one writes the other reads,
 * byte for byte, for any input fast-check can think of.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { anyUnpack, timestampFromDate } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import { StatusSchema } from '../functions/http/grpc-web/gen/google/rpc/status_pb.ts';
import {
  DeactivateActionRequestSchema,
  DeactivateActionResponseSchema,
} from '../functions/http/grpc-web/gen/zitadel/management_pb.ts';
import { ErrorDetailSchema } from '../functions/http/grpc-web/gen/zitadel/message_pb.ts';
import { ObjectDetailsSchema } from '../functions/http/grpc-web/gen/zitadel/object_pb.ts';
import {
  decodeDeactivateActionRequest,
  encodeDeactivateActionResponse,
  encodeStatus,
} from '../functions/http/grpc-web/messages.ts';

const dates = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });

test('DeactivateActionRequest: the codec reads what the generated code writes', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (id) => {
      const bytes = toBinary(DeactivateActionRequestSchema, create(DeactivateActionRequestSchema, { id }));
      assert.deepEqual(decodeDeactivateActionRequest(bytes), { id });
    }),
  );
});

test('DeactivateActionResponse: the generated code reads what the codec writes, byte for byte the same', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), dates, fc.string(), (sequence, created, owner) => {
      const details = { sequence: String(sequence), creationDate: created.toISOString(), resourceOwner: owner };
      const ours = encodeDeactivateActionResponse(details);
      const expected = create(DeactivateActionResponseSchema, {
        details: create(ObjectDetailsSchema, {
          sequence,
          creationDate: timestampFromDate(created),
          resourceOwner: owner,
        }),
      });
      assert.deepEqual(fromBinary(DeactivateActionResponseSchema, ours), expected);
      assert.deepEqual(Buffer.from(ours), Buffer.from(toBinary(DeactivateActionResponseSchema, expected)));
    }),
  );
});

test('Timestamps keep every stored fractional digit, down to nanoseconds', () => {
  const bytes = encodeDeactivateActionResponse({
    sequence: '3',
    creationDate: '2024-05-24T10:54:22.397123456Z',
    resourceOwner: 'o',
  });
  const details = fromBinary(DeactivateActionResponseSchema, bytes).details;
  assert.equal(details?.creationDate?.nanos, 397_123_456);
  assert.equal(details?.creationDate?.seconds, BigInt(Date.parse('2024-05-24T10:54:22Z') / 1000));
  const offset = fromBinary(DeactivateActionResponseSchema, encodeDeactivateActionResponse({ sequence: '3', creationDate: '2024-05-24T12:54:22+02:00', resourceOwner: 'o' })).details;
  assert.equal(offset?.creationDate?.seconds, BigInt(Date.parse('2024-05-24T10:54:22Z') / 1000));
  assert.equal(offset?.creationDate?.nanos, 0);
});

test('google.rpc.Status with ZITADEL’s ErrorDetail: the generated code reads what the codec writes', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 16 }), fc.string(), fc.string(), fc.string(), (code, message, id, key) => {
      const status = fromBinary(StatusSchema, encodeStatus({ code, message, details: [{ id, message: key }] }));
      assert.equal(status.code, code);
      assert.equal(status.message, message);
      assert.equal(status.details.length, 1);
      assert.equal(status.details[0]?.typeUrl, 'type.googleapis.com/zitadel.v1.ErrorDetail');
      const detail = anyUnpack(status.details[0], ErrorDetailSchema);
      assert.deepEqual({ id: detail?.id, message: detail?.message }, { id, message: key });
    }),
  );
});
