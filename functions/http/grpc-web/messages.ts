/**
 * ZITADEL's messages for this call on the wire, with @bufbuild/protobuf's binary reader and writer
 * (`@bufbuild/protobuf/wire`). Field numbers and types mirror proto/ (ZITADEL's management.proto,
 * object.proto, message.proto and google.rpc.Status); test/grpc-web-messages.test.ts checks every
 * encoding here against the code generated from proto/ (npm run generate) in both directions.
 *
 * Why not the generated schemas at run time: they are decoded from embedded descriptors, which
 * pulls descriptor.proto and the registry into the bundle (+73 KB, past the 300 KB budget);
 * the reader and writer are 11 KB. The generated code serves the clients and the tests.
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type { ObjectDetails } from '../../domain/deactivate-action.ts';

const ERROR_DETAIL_TYPE_URL = 'type.googleapis.com/zitadel.v1.ErrorDetail';

/** protobuf-go's texts for the two ways a proto3 message fails to decode (internal/impl/decode.go). */
const INVALID_WIRE_FORMAT = 'proto: cannot parse invalid wire-format data';
const INVALID_UTF8 = 'string field contains invalid UTF-8';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `DeactivateActionRequest { string id = 1; }` as protobuf-go decodes it: unknown fields are skipped, and so is
 * field 1 with another wire type (protobuf-go keeps it as an unknown field); a malformed message or an `id`
 * that is not UTF-8 is protobuf-go's error text.
 */
export function decodeDeactivateActionRequest(bytes: Uint8Array): { id: string } | { error: string } {
  const reader = new BinaryReader(bytes);
  let id = '';
  // protobuf-go checks each occurrence of the field as it reads it (the last one wins), and stops at the first error.
  while (reader.pos < reader.len) {
    let raw: Uint8Array | undefined;
    try {
      const [fieldNo, wireType] = reader.tag();
      if (fieldNo === 1 && wireType === WireType.LengthDelimited) raw = reader.bytes();
      else reader.skip(wireType, fieldNo);
    } catch {
      return { error: INVALID_WIRE_FORMAT };
    }
    if (raw === undefined) continue;
    try {
      id = utf8.decode(raw);
    } catch {
      return { error: INVALID_UTF8 };
    }
  }
  return { id };
}

/** `DeactivateActionResponse { zitadel.v1.ObjectDetails details = 1; }`. */
export function encodeDeactivateActionResponse(details: ObjectDetails): Uint8Array {
  const writer = new BinaryWriter();
  writer.tag(1, WireType.LengthDelimited).fork();
  writeObjectDetails(writer, details);
  writer.join();
  return writer.finish();
}

/**
 * `ObjectDetails { uint64 sequence = 1; Timestamp creation_date = 2; Timestamp change_date = 3;
 * string resource_owner = 4; }`; proto3 leaves zero values out, and ZITADEL's `DeactivateAction` never sets
 * `change_date` (see ObjectDetails), so field 3 is absent.
 */
function writeObjectDetails(writer: BinaryWriter, details: ObjectDetails): void {
  const sequence = BigInt(details.sequence);
  if (sequence !== 0n) writer.tag(1, WireType.Varint).uint64(sequence);
  writeTimestamp(writer, 2, details.creationDate);
  if (details.resourceOwner !== '') writer.tag(4, WireType.LengthDelimited).string(details.resourceOwner);
}

/**
 * `google.rpc.Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }`
 * with ZITADEL's `zitadel.v1.ErrorDetail { string id = 1; string message = 2; }` packed in each Any
 * (`Any { string type_url = 1; bytes value = 2; }`), as ZITADEL's gerrors.ZITADELToGRPCError
 * builds it: `status.New(code, msg).WithDetails(&message.ErrorDetail{Id: id, Message: key})`.
 */
export function encodeStatus(status: { code: number; message: string; details: readonly { id: string; message: string }[] }): Uint8Array {
  const writer = new BinaryWriter();
  if (status.code !== 0) writer.tag(1, WireType.Varint).int32(status.code);
  if (status.message !== '') writer.tag(2, WireType.LengthDelimited).string(status.message);
  for (const detail of status.details) {
    const value = new BinaryWriter();
    if (detail.id !== '') value.tag(1, WireType.LengthDelimited).string(detail.id);
    if (detail.message !== '') value.tag(2, WireType.LengthDelimited).string(detail.message);
    writer.tag(3, WireType.LengthDelimited).fork();
    writer.tag(1, WireType.LengthDelimited).string(ERROR_DETAIL_TYPE_URL);
    writer.tag(2, WireType.LengthDelimited).bytes(value.finish());
    writer.join();
  }
  return writer.finish();
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/**
 * `google.protobuf.Timestamp { int64 seconds = 1; int32 nanos = 2; }` from a stored RFC 3339
 * date, keeping every fractional digit (up to nanoseconds).
 */
function writeTimestamp(writer: BinaryWriter, fieldNo: number, rfc3339: string): void {
  const match = RFC3339.exec(rfc3339);
  const wholeMs = match === null ? Number.NaN : Date.parse(`${match[1]}${match[3]}`);
  if (match === null || Number.isNaN(wholeMs)) throw new Error('stored date is not RFC 3339');
  const seconds = BigInt(wholeMs / 1000);
  const nanos = Number((match[2] ?? '').padEnd(9, '0'));
  writer.tag(fieldNo, WireType.LengthDelimited).fork();
  if (seconds !== 0n) writer.tag(1, WireType.Varint).int64(seconds);
  if (nanos !== 0) writer.tag(2, WireType.Varint).int32(nanos);
  writer.join();
}
