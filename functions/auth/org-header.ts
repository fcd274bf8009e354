import { idProblem } from '../domain/deactivate-action.ts';

/**
 * Whether an `x-zitadel-orgid` can name an organisation: our id rules, and printable ASCII without spaces
 * (HTTP libraries trim or refuse anything else, so the organisation ZITADEL is asked about would not be the
 * one written to).
 */
export function orgHeaderAcceptable(orgHeader: string): boolean {
  return idProblem(orgHeader) === null && /^[\x21-\x7e]+$/.test(orgHeader);
}
