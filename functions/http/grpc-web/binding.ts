/**
 * The gRPC-web binding: `POST /zitadel.management.v1.ManagementService/DeactivateAction` turned
 * into the same command the JSON route runs, and its result or ZitadelError back into gRPC-web.
 * The error's code, message and detail are the JSON route's (errorBody): never invented here.
 */
import type { ObjectDetails } from '../../domain/deactivate-action.ts';
import { Errors, type ZitadelError } from '../../domain/errors.ts';
import { headersOf, type HttpEvent, type HttpMiddleware, type HttpResult } from '../request-context.ts';
import type { ErrorTranslator } from '../translations/translate-error.ts';
import { callerError, errorBody } from '../zitadel-response.ts';
import { decodeDeactivateActionRequest, encodeDeactivateActionResponse, encodeStatus } from './messages.ts';
import {
  binaryHeaderValue,
  DATA_FRAME,
  decodeText,
  encodingOf,
  frame,
  percentEncodeMessage,
  responseContentType,
  SUPPORTED_CONTENT_TYPES,
  TRAILER_FRAME,
  trailerBlock,
  unaryMessage,
  type Encoding,
} from './protocol.ts';

/** gRPC's path for ZITADEL's `ManagementService.DeactivateAction`, and the HTTP API route key for it. */
export const GRPC_WEB_PATH = '/zitadel.management.v1.ManagementService/DeactivateAction';
export const GRPC_WEB_ROUTE_KEY = `POST ${GRPC_WEB_PATH}`;

/** A request of the gRPC-web route, by API Gateway's route key or, failing that, the path. */
export function isGrpcWebCall(event: HttpEvent): boolean {
  return event.routeKey === GRPC_WEB_ROUTE_KEY || event.rawPath === GRPC_WEB_PATH;
}

/** The response encoding of a call; binary when the request's type is unknown (only before the 415). */
const encodingFor = (event: HttpEvent): Encoding => encodingOf(headersOf(event)['content-type']) ?? 'binary';

/**
 * Registered before the auth middlewares: like a gRPC server, the message is decoded before the
 * interceptors run (grpc-go decodes, then calls the interceptor chain). Its `onError` renders
 * the gRPC-web answer before zitadelResponse logs the rejection; http-error-handler leaves a set
 * response alone. It returns nothing from `onError`, so the logging middleware still runs.
 */
export const grpcWebBinding = (translate: ErrorTranslator): HttpMiddleware => ({
  name: 'grpcWebBinding',
  before: (request) => {
    const { event } = request;
    if (!isGrpcWebCall(event)) return undefined;
    const encoding = encodingOf(headersOf(event)['content-type']);
    // What gRPC servers answer a request that is not gRPC(-web): 415, nothing run.
    if (encoding === undefined) return unsupportedMediaType();

    const { id } = readRequest(event, encoding);
    // The command input, where the JSON route has it: the id as the path parameter, the message as the body.
    event.pathParameters = { id };
    (event as { body?: unknown }).body = { id };
    return undefined;
  },
  onError: (request) => {
    if (!isGrpcWebCall(request.event)) return;
    request.response = errorResult(callerError(request, translate), encodingFor(request.event));
  },
});

/** The gRPC-web answer to a successful call: one data frame, then the trailer frame with status 0. */
export function grpcWebDeactivated(event: HttpEvent, details: ObjectDetails): HttpResult {
  const encoding = encodingFor(event);
  const message = frame(DATA_FRAME, encodeDeactivateActionResponse(details));
  const trailers = frame(TRAILER_FRAME, trailerBlock({ 'grpc-status': '0', 'grpc-message': '' }));
  return bodyResult(encoding, Buffer.concat([message, trailers]));
}

function readRequest(event: HttpEvent, encoding: Encoding): { id: string } {
  // API Gateway delivers grpc-web(-text) bodies base64-encoded (not a text media type).
  const raw = event.body === undefined ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'latin1');
  const framed = encoding === 'text' ? decodeText(raw.toString('latin1')) : raw;
  const message = framed === undefined ? undefined : unaryMessage(framed);
  if (message === undefined) throw Errors.grpcWebFrameMalformed();
  const decoded = decodeDeactivateActionRequest(message);
  if ('error' in decoded) throw Errors.messageUndecodable(decoded.error);
  return decoded;
}

/**
 * Trailers-only: HTTP 200 and no body, the status in the headers (PROTOCOL-HTTP2.md allows it for
 * a call that fails before any message). `grpc-message` is the JSON route's message, percent-encoded.
 */
function errorResult(error: ZitadelError, encoding: Encoding): HttpResult {
  const { code, message, details = [] } = errorBody(error);
  return {
    statusCode: 200,
    headers: {
      'content-type': responseContentType(encoding),
      'grpc-status': String(code),
      'grpc-message': percentEncodeMessage(message),
      // grpc-go writes grpc-status-details-bin only for a status with details.
      ...(details.length === 0
        ? {}
        : { 'grpc-status-details-bin': binaryHeaderValue(encodeStatus({ code, message, details: details.map(({ id, message }) => ({ id, message })) })) }),
    },
    body: '',
  };
}

function bodyResult(encoding: Encoding, bytes: Uint8Array): HttpResult {
  const base64 = Buffer.from(bytes).toString('base64');
  // Binary: base64 in the Lambda result, API Gateway sends the bytes. Text: the base64 is the body.
  return encoding === 'text'
    ? { statusCode: 200, headers: { 'content-type': responseContentType(encoding) }, body: base64 }
    : { statusCode: 200, headers: { 'content-type': responseContentType(encoding) }, body: base64, isBase64Encoded: true };
}

function unsupportedMediaType(): HttpResult {
  return {
    statusCode: 415,
    headers: { 'content-type': 'text/plain', 'accept-post': SUPPORTED_CONTENT_TYPES.join(', ') },
    body: 'Unsupported Media Type',
  };
}
