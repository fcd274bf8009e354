/**
 * The authorization port: who is calling and what they may do in the organisation they act in.
 * Two adapters answer it (`functions/auth/`): ZITADEL's own Auth API (memberships, the faithful mode)
 * and the token's project-role claims (the offline mode).
 */
export interface Authorization {
  /** The user id. Stored on the action as who changed it. */
  readonly userId: string;
  /** The organisation to act in: `x-zitadel-orgid`, else the user's own; '' when neither is known. */
  readonly orgId: string;
  /** ZITADEL permissions the user holds in `orgId` (e.g. `org.action.write`). */
  readonly permissions: ReadonlySet<string>;
  /**
   * True when the identity provider said the user has no membership at all there (ZITADEL answers
   * such calls `membership not found`, not `No matching permissions found`).
   */
  readonly noMembership: boolean;
  /**
   * The user's preferred language as the identity provider knows it (ZITADEL's `preferredLanguage`, `und` for
   * none); absent when it does not say. Only the rendering of translated errors reads it.
   */
  readonly preferredLanguage?: string;
}

export interface AuthorizationRequest {
  /** The raw `Authorization` header, if any. */
  readonly authorization: string | undefined;
  /** The `x-zitadel-orgid` header, unchecked; undefined when absent or empty. */
  readonly orgHeader: string | undefined;
  /**
   * The browser's `Origin` header, unchecked; undefined when absent (calls from servers). ZITADEL refuses a token
   * issued to an application when the origin is not one of that application's (`AUTH-DZG21`).
   */
  readonly origin?: string | undefined;
}

export interface Authorizer {
  /** Resolves to the caller's authorization, or rejects with a `ZitadelError`. */
  authorize(request: AuthorizationRequest, options?: { readonly signal?: AbortSignal }): Promise<Authorization>;
}
