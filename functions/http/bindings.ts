/**
 * One handler, two encodings: the JSON route (grpc-gateway style) and the gRPC-web route. The
 * binding is chosen per request from the route (see grpc-web/binding.ts); the command and its
 * errors are the same for both.
 */
import type { ObjectDetails } from '../domain/deactivate-action.ts';
import { grpcWebDeactivated, isGrpcWebCall } from './grpc-web/binding.ts';
import { JSON_HEADERS, type HttpEvent, type HttpMiddleware, type HttpResult } from './request-context.ts';

export { grpcWebBinding } from './grpc-web/binding.ts';

/** The answer to a successful deactivation, in the request's binding. */
export function deactivatedResult(event: HttpEvent, details: ObjectDetails): HttpResult {
  if (isGrpcWebCall(event)) return grpcWebDeactivated(event, details);
  return { statusCode: 200, headers: { ...JSON_HEADERS }, body: JSON.stringify({ details }) };
}

/** Runs a JSON-route middleware (the body parsers) only for requests of the JSON route. */
export const jsonRouteOnly = (middleware: HttpMiddleware): HttpMiddleware => ({
  name: `${middleware.name ?? 'middleware'} (JSON route)`,
  // The wrapped middlewares never answer early, so nothing they return needs passing on.
  before: async (request) => {
    if (!isGrpcWebCall(request.event)) await middleware.before?.(request);
  },
});
