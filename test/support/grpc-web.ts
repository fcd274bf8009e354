/**
 * Test helpers for the gRPC-web route: the real client (connect-es's gRPC-web transport, nobody
 * here wrote it) and raw HTTP for what no well-behaved client sends (bad frames, -text bodies).
 * Framing here is only the test's own reading of PROTOCOL-WEB.md, never the code under test.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import { createClient, type Client } from '@connectrpc/connect';
import { createGrpcWebTransport } from '@connectrpc/connect-node';
import { StatusSchema } from '../../functions/http/grpc-web/gen/google/rpc/status_pb.ts';
import {
  DeactivateActionRequestSchema,
  DeactivateActionResponseSchema,
  ManagementService,
} from '../../functions/http/grpc-web/gen/zitadel/management_pb.ts';
import { ErrorDetailSchema } from '../../functions/http/grpc-web/gen/zitadel/message_pb.ts';

export const GRPC_PATH = '/zitadel.management.v1.ManagementService/DeactivateAction';

export type ManagementClient = Client<typeof ManagementService>;

/** ZITADEL's ManagementService through connect-es's gRPC-web transport over HTTP/1.1. */
export function managementClient(baseUrl: string): ManagementClient {
  return createClient(ManagementService, createGrpcWebTransport({ baseUrl, httpVersion: '1.1' }));
}

/** One length-prefixed frame (flag byte, 4-byte big-endian length). */
export function frame(flag: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(5);
  header[0] = flag;
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

export const requestMessage = (id: string) => toBinary(DeactivateActionRequestSchema, create(DeactivateActionRequestSchema, { id }));

/** POSTs raw bytes (or text) to the gRPC-web path. */
export async function postRaw(baseUrl: string, body: Uint8Array | string, headers: Record<string, string>) {
  const res = await fetch(`${baseUrl}${GRPC_PATH}`, { method: 'POST', headers: { 'x-grpc-web': '1', ...headers }, body });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** Splits a gRPC-web response body into its frames. */
export function readFrames(body: Uint8Array): { flag: number; payload: Buffer }[] {
  const frames: { flag: number; payload: Buffer }[] = [];
  const buf = Buffer.from(body);
  let at = 0;
  while (at < buf.length) {
    const length = buf.readUInt32BE(at + 1);
    frames.push({ flag: buf[at] ?? -1, payload: buf.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return frames;
}

export const decodeResponse = (bytes: Uint8Array) => fromBinary(DeactivateActionResponseSchema, bytes);

/** `grpc-status-details-bin` decoded as google.rpc.Status with its ErrorDetails unpacked. */
export function statusDetails(headerValue: string | null) {
  const status = fromBinary(StatusSchema, Buffer.from(headerValue ?? '', 'base64'));
  return {
    code: status.code,
    message: status.message,
    details: status.details.map((any) => ({ typeUrl: any.typeUrl, ...pick(anyUnpack(any, ErrorDetailSchema)) })),
  };
}
const pick = (detail: { id: string; message: string } | undefined) => ({ id: detail?.id, message: detail?.message });
