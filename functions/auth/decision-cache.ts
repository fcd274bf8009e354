/**
 * A bounded cache of authorization decisions with single flight: concurrent misses on one key share one
 * lookup. Keys are built by the caller from a token's hash, never the token. Entries expire at the time
 * the caller gives (never past the token's `exp` when known); the least recently used entry goes first
 * when the cache is full, so a flood of distinct tokens cannot make memory grow.
 */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export class DecisionCache<T> {
  readonly #maxEntries: number;
  readonly #entries = new Map<string, { readonly outcome: Outcome<T>; readonly expiresAt: number }>();
  readonly #inFlight = new Map<string, Promise<Outcome<T>>>();

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /**
   * The cached outcome for `key`, or the outcome of `lookup`, shared with every concurrent caller of the same key.
   * `expiresAt(outcome)` says until when (epoch ms) it may be reused; a time not in the future keeps it out.
   */
  async get(key: string, lookup: () => Promise<T>, expiresAt: (outcome: Outcome<T>) => number): Promise<Outcome<T>> {
    const now = Date.now();
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      if (entry.expiresAt > now) {
        this.#entries.set(key, entry); // most recently used last
        return entry.outcome;
      }
    }
    const pending = this.#inFlight.get(key);
    if (pending !== undefined) return pending;

    const flight = lookup().then(
      (value): Outcome<T> => ({ ok: true, value }),
      (error: unknown): Outcome<T> => ({ ok: false, error }),
    );
    this.#inFlight.set(key, flight);
    try {
      const outcome = await flight;
      this.#store(key, outcome, expiresAt(outcome));
      return outcome;
    } finally {
      this.#inFlight.delete(key);
    }
  }

  #store(key: string, outcome: Outcome<T>, expiresAt: number): void {
    if (this.#maxEntries === 0 || expiresAt <= Date.now()) return;
    // An error's stack is kept by V8 as the frames it was made in, closures included, until it is first read:
    // those closures hold the caller's token (up to 16 KiB). Reading it once turns it into a short string.
    if (!outcome.ok && outcome.error instanceof Error) Reflect.get(outcome.error, 'stack');
    this.#entries.delete(key);
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    this.#entries.set(key, { outcome, expiresAt });
  }
}
