import { idProblem } from '../domain/deactivate-action.ts';
import { Errors } from '../domain/errors.ts';
import type { HttpMiddleware } from '../http/request-context.ts';

export const ORG_HEADER = 'x-zitadel-orgid';

/**
 * The organisation to act in: the `x-zitadel-orgid` header, else the caller's own organisation.
 * Whether the caller may act there is the command's permission check, not this one's.
 */
export const resolveOrganization = (): HttpMiddleware => ({
  name: 'resolveOrganization',
  before: (request) => {
    const header = request.event.headers?.[ORG_HEADER];
    if (header) {
      if (idProblem(header) !== null) throw Errors.orgIdInvalid();
      request.context.orgId = header;
    } else {
      request.context.orgId = request.context.caller?.orgId ?? '';
    }
  },
});
