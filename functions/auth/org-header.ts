/** ZITADEL's bound on organisation ids (`max_len: 200` on every `org_id` of its API). */
const MAX_ORG_ID_LENGTH = 200;

/**
 * Whether an `x-zitadel-orgid` could name an organisation: at most 200 characters of printable ASCII without
 * spaces (ZITADEL's ids are decimal strings; HTTP libraries trim or refuse anything else, so the organisation
 * ZITADEL would be asked about would not be the one written to). One that cannot is answered as ZITADEL answers
 * an organisation it does not find, `Organisation doesn't exist (AUTH-Bs7Ds)`, after the token is checked and
 * without being sent anywhere.
 */
export function orgIdCanExist(orgHeader: string): boolean {
  return orgHeader.length <= MAX_ORG_ID_LENGTH && /^[\x21-\x7e]+$/.test(orgHeader);
}
