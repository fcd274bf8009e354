import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Organization {
  readonly name: string;
  /** The primary domain, as in ZITADEL's `urn:zitadel:iam:org:project:roles` values. */
  readonly domain: string;
}

export interface User {
  readonly orgId: string;
  /** Absent in state files written before users could be deactivated: active. */
  state?: 'USER_STATE_ACTIVE' | 'USER_STATE_INACTIVE';
  readonly userName: string;
  readonly machine: boolean;
  /** A human's `profile.preferredLanguage`; absent: `en` (state files written before it existed). */
  readonly preferredLanguage?: string;
  sequence: number;
  readonly creationDate: string;
  changeDate: string;
}

/** One manager membership, as ZITADEL keeps it: a user on an aggregate (an organisation or the instance) with roles. */
export interface Membership {
  readonly userId: string;
  /** Absent: an instance membership (`IAM_*` roles). */
  readonly orgId?: string;
  roles: string[];
}

/** An OIDC application's origin settings (ZITADEL's `OIDCApp.RedirectURIs`, `AdditionalOrigins`). */
export interface Application {
  redirectUris: string[];
  additionalOrigins: string[];
}

/**
 * What ZITADEL keeps of an access token or PAT: who it belongs to, its audience and expiry, and
 * whether it was revoked. Keyed by the JWT's `jti`, or by the SHA-256 of an opaque token, so the
 * state file never holds a usable token.
 */
export interface TokenRecord {
  readonly type: 'jwt' | 'opaque' | 'pat';
  readonly userId: string;
  readonly audience: readonly string[];
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
  revoked: boolean;
  /** The application the token was issued to (code or implicit flow); absent for PATs, which have none. */
  readonly clientId?: string;
}

export interface DevZitadelState {
  organizations: Record<string, Organization>;
  users: Record<string, User>;
  memberships: Membership[];
  tokens: Record<string, TokenRecord>;
  /** By client id; absent in state files written before applications had origins. */
  applications?: Record<string, Application>;
}

const emptyState = (): DevZitadelState => ({ organizations: {}, users: {}, memberships: [], tokens: {}, applications: {} });

/**
 * The dev ZITADEL's state: in memory, or in a JSON file that several processes share (the server
 * and the token CLI). Every read first re-reads the file if it changed since (size, mtime, inode),
 * every change re-reads, applies and writes the whole file through a temporary file and a rename
 * (never half-written), mode 0600.
 */
export class StateStore {
  private state: DevZitadelState = emptyState();
  private seen = '';
  private readonly file: string | undefined;

  constructor(file?: string) {
    this.file = file;
    this.refresh();
  }

  read(): DevZitadelState {
    this.refresh();
    return this.state;
  }

  update<T>(change: (state: DevZitadelState) => T, now = Date.now()): T {
    this.refresh();
    const result = change(this.state);
    prune(this.state, now);
    this.write();
    return result;
  }

  private refresh(): void {
    if (this.file === undefined) return;
    let stamp: string;
    try {
      // Nanosecond times: two writes in the same millisecond still differ.
      const stat = statSync(this.file, { bigint: true });
      stamp = `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      stamp = 'absent';
    }
    if (stamp === this.seen) return;
    this.state = stamp === 'absent' ? emptyState() : { ...emptyState(), ...(JSON.parse(readFileSync(this.file, 'utf8')) as DevZitadelState) };
    this.seen = stamp;
  }

  private write(): void {
    if (this.file === undefined) return;
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.state, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
    this.seen = '';
    this.refresh();
  }
}

/**
 * Expired tokens are dropped whenever the state changes, so the file (and the server's memory)
 * holds only tokens that can still be presented.
 */
function prune(state: DevZitadelState, now: number): void {
  for (const [key, token] of Object.entries(state.tokens)) {
    if (token.expiresAt <= now) Reflect.deleteProperty(state.tokens, key);
  }
}
