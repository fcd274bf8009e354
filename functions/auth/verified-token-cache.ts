/** Verified tokens kept at once. A token is at most 16 KB (bearer.ts), its payload at most 12 KB: 12 MB at worst. */
export const MAX_VERIFIED_TOKENS = 1_000;

interface Entry<P> {
  readonly payload: P;
  /** Epoch ms: the token's `exp`, or earlier the time its key set is due for a refresh. Never used at or after it. */
  readonly expiresAt: number;
  /** Epoch ms: the token's `nbf` less the tolerated skew, as the verifier accepted it; 0 without `nbf`. */
  readonly notBefore: number;
}

/**
 * JWTs that passed every check (our precheck, aws-jwt-verify's signature and claim checks, our policy checks),
 * so a warm function seeing the same token again skips the signature check. Keyed by the SHA-256 of the whole
 * token (`secretKey` in bearer.ts), never the token: a copy with any other byte (another signature) is another key and is verified in full.
 * An entry is used only inside the token's own validity window (`nbf` to `exp`, without the grace the verifier
 * gives past `exp`: a token in its grace period is verified again), and only while the key set that verified it is
 * current (its max age; the full verification after it starts the refresh). Bounded: the least recently used entry goes
 * first. `clear()` drops every entry, for when the key set changes (a withdrawn key must stop being trusted).
 */
export class VerifiedTokenCache<P> {
  readonly #maxEntries: number;
  readonly #entries = new Map<string, Entry<P>>();

  constructor(maxEntries = MAX_VERIFIED_TOKENS) {
    this.#maxEntries = maxEntries;
  }

  /** The payload of a token verified earlier and still inside its validity window, or undefined. */
  get(key: string, now = Date.now()): P | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (now >= entry.expiresAt || now < entry.notBefore) return undefined;
    this.#entries.set(key, entry); // most recently used last
    return entry.payload;
  }

  /**
   * Enters a token that passed every check. `exp` (seconds) is required; `nbf` (seconds) and the skew the
   * verifier allowed on it are kept so a clock set back does not reuse the entry early. `keySetCurrentUntil`
   * (epoch ms): when the key set that verified it is due for a refresh; the entry is not used after that either.
   */
  set(
    key: string,
    payload: P,
    { exp, nbf, skewSeconds, keySetCurrentUntil }: { exp: number; nbf?: number; skewSeconds: number; keySetCurrentUntil: number },
    now = Date.now(),
  ): void {
    const expiresAt = Math.min(exp * 1000, keySetCurrentUntil);
    if (this.#maxEntries === 0 || expiresAt <= now) return;
    this.#entries.delete(key);
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    this.#entries.set(key, { payload, expiresAt, notBefore: nbf === undefined ? 0 : (nbf - skewSeconds) * 1000 });
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}
