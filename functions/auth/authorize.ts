import type { Context } from 'aws-lambda';
import type { Authorizer } from '../domain/authorization.ts';
import { Errors } from '../domain/errors.ts';
import { headersOf, type HttpMiddleware } from '../http/request-context.ts';

export const ORG_HEADER = 'x-zitadel-orgid';

/**
 * Asks the configured authorizer who calls and what they may do in the organisation to act in
 * (`x-zitadel-orgid`, else the user's own). Whether that allows this call is the command's check.
 *
 * middy's `timeoutEarly` bounds only the handler, not the middlewares before it: a ZITADEL or key set that
 * hangs longer than the function has left would run into the Lambda timeout (a bare 500 from API Gateway).
 * So this step keeps the same margin itself and answers `503 API-T1me0` `timeoutEarlyMs` before the deadline.
 */
export const authorize = (authorizer: Authorizer, timeoutEarlyMs = 0): HttpMiddleware => ({
  name: 'authorize',
  before: async (request) => {
    const headers = headersOf(request.event);
    const decision = authorizer.authorize({
      authorization: headers.authorization,
      orgHeader: headers[ORG_HEADER] || undefined,
      origin: headers.origin || undefined,
    });
    request.context.authorization = await beforeDeadline(decision, request.context, timeoutEarlyMs);
  },
});

/** `work`, or `Errors.timeout()` once only `earlyMs` remain of the invocation (no bound without a Lambda context). */
async function beforeDeadline<T>(work: Promise<T>, context: Partial<Pick<Context, 'getRemainingTimeInMillis'>>, earlyMs: number): Promise<T> {
  const remainingMs = typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
  if (remainingMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Errors.timeout()), Math.max(0, remainingMs - earlyMs));
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
