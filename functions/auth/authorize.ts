import type { Authorizer } from '../domain/authorization.ts';
import { headersOf, type HttpMiddleware } from '../http/request-context.ts';

export const ORG_HEADER = 'x-zitadel-orgid';

/**
 * Asks the configured authorizer who calls and what they may do in the organisation to act in
 * (`x-zitadel-orgid`, else the user's own). Whether that allows this call is the command's check.
 */
export const authorize = (authorizer: Authorizer): HttpMiddleware => ({
  name: 'authorize',
  before: async (request) => {
    const headers = headersOf(request.event);
    request.context.authorization = await authorizer.authorize({
      authorization: headers.authorization,
      orgHeader: headers[ORG_HEADER] || undefined,
      origin: headers.origin || undefined,
    });
  },
});
