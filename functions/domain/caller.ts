/** Who is calling, as established from a verified access token. */
export interface Caller {
  /** The user id (`sub`). Stored on the action as who changed it. */
  readonly userId: string;
  /** The user's own organisation (`urn:zitadel:iam:user:resourceowner:id`); '' when the token has none. */
  readonly orgId: string;
  /** Role name → the organisations it was granted for (`urn:zitadel:iam:org:project:roles`). */
  readonly roles: ReadonlyMap<string, ReadonlySet<string>>;
}
