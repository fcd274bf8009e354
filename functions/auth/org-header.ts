import { idProblem } from '../domain/deactivate-action.ts';
import { Errors } from '../domain/errors.ts';

/**
 * Refuses an `x-zitadel-orgid` that no organisation id can have (our id rules). Authorizers call it once the
 * token has passed their local checks and before anything is sent to ZITADEL, so the order of answers stays
 * token → organisation header → the rest.
 */
export function checkOrgHeader(orgHeader: string | undefined): void {
  if (orgHeader !== undefined && idProblem(orgHeader) !== null) throw Errors.orgIdInvalid();
}
