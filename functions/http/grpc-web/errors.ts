import { GrpcCode, ZitadelError } from '../../domain/errors.ts';

/**
 * The gRPC-web binding's own rejections. TODO(merge): move both into `Errors` in
 * functions/domain/errors.ts (the catalogue) and document them in the README's error table.
 * Each is one cause with one id, built like the catalogue's entries.
 */
const define = (id: string, key: string) =>
  Object.assign((cause?: unknown) => new ZitadelError(GrpcCode.InvalidArgument, id, key, cause === undefined ? undefined : { cause }), { id });

export const GrpcWebErrors = {
  /** The body is not exactly one uncompressed, complete gRPC-web data frame (or not valid base64 for -text). */
  frameMalformed: define('REQUEST-GwFrm', 'Errors.Request.GrpcWebFrameMalformed'),
  /** The frame holds bytes that are not a `DeactivateActionRequest`. */
  messageMalformed: define('REQUEST-GwMsg', 'Errors.Request.GrpcWebMessageMalformed'),
} as const;
