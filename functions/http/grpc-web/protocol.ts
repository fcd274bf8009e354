/**
 * The gRPC-web wire format (github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md) for a unary
 * call: content types, length-prefixed frames, trailers. Knows nothing of ZITADEL or Lambda.
 */

/** Flag byte of a data frame (uncompressed message) and of the trailer frame. */
export const DATA_FRAME = 0x00;
export const TRAILER_FRAME = 0x80;
const HEADER_BYTES = 5;

export type Encoding = 'binary' | 'text';

/**
 * `application/grpc-web` and `application/grpc-web+proto` are binary; `application/grpc-web-text`
 * (`+proto`) is the base64 of the whole framed body. Any other type (`+json`, plain `application/grpc`)
 * is not this binding's: undefined. Parameters after `;` are ignored.
 */
export function encodingOf(contentType: string | undefined): Encoding | undefined {
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (type === 'application/grpc-web' || type === 'application/grpc-web+proto') return 'binary';
  if (type === 'application/grpc-web-text' || type === 'application/grpc-web-text+proto') return 'text';
  return undefined;
}

/** The content type a response carries for a request of this encoding. */
export const responseContentType = (encoding: Encoding) =>
  encoding === 'text' ? 'application/grpc-web-text+proto' : 'application/grpc-web+proto';

export const SUPPORTED_CONTENT_TYPES = [
  'application/grpc-web',
  'application/grpc-web+proto',
  'application/grpc-web-text',
  'application/grpc-web-text+proto',
] as const;

/** Strict standard base64 (padded); Node's decoder would silently skip anything else. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The framed bytes of a -text body, or undefined when it is not base64. */
export function decodeText(text: string): Uint8Array | undefined {
  const compact = text.replace(/[\r\n]/g, '');
  return BASE64.test(compact) ? Buffer.from(compact, 'base64') : undefined;
}

/**
 * The message of a unary request: the body must be exactly one uncompressed data frame whose
 * declared length is the rest of the body. Returns undefined otherwise (no frame, a short or
 * overlong frame, a compressed or trailer frame, a second frame). Never allocates by the
 * declared length: it is only compared with what arrived.
 */
export function unaryMessage(body: Uint8Array): Uint8Array | undefined {
  if (body.length < HEADER_BYTES) return undefined;
  if (body[0] !== DATA_FRAME) return undefined;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const length = view.getUint32(1, false);
  if (length !== body.length - HEADER_BYTES) return undefined;
  return body.subarray(HEADER_BYTES);
}

/** One length-prefixed frame. */
export function frame(flag: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  out[0] = flag;
  new DataView(out.buffer).setUint32(1, payload.length, false);
  out.set(payload, HEADER_BYTES);
  return out;
}

/** The trailer frame's payload: HTTP/1-style header lines, names in lower case. */
export function trailerBlock(trailers: Readonly<Record<string, string>>): Uint8Array {
  return Buffer.from(Object.entries(trailers).map(([name, value]) => `${name}:${value}\r\n`).join(''), 'latin1');
}

/**
 * `grpc-message` is percent-encoded (PROTOCOL-HTTP2.md): UTF-8 bytes outside printable ASCII
 * (0x20–0x7E) and `%` itself become `%XX`.
 */
export function percentEncodeMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A `-bin` metadata value: base64 without padding, as grpc-go writes it (readers accept both). */
export const binaryHeaderValue = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '');
