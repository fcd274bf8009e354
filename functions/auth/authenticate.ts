import type { HttpMiddleware } from '../http/request-context.ts';
import { callerFromClaims } from './claims.ts';
import type { VerifyBearer } from './token-verifier.ts';

/** Rejects the request unless it carries a valid ZITADEL access token; records the caller. */
export const authenticate = (verifyBearer: VerifyBearer): HttpMiddleware => ({
  name: 'authenticate',
  before: async (request) => {
    const claims = await verifyBearer(request.event.headers?.authorization);
    request.context.caller = callerFromClaims(claims);
  },
});
