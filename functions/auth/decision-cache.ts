/**
 * A bounded cache of authorization decisions with single flight: concurrent misses on one key share one
 * lookup. Keys are built by the caller from a token's hash, never the token. Entries expire at the time
 * the caller gives (never past the token's `exp` when known); the least recently used entry goes first
 * when the cache is full, so a flood of distinct tokens cannot make memory grow.
 *
 * Refusals (as `isRefusal` tells them) are kept apart, with a bound of their own: a flood of junk tokens, which
 * anyone can send and which ZITADEL refuses, then only evicts other refusals, never a caller's permitting decision.
 */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export interface DecisionCacheOptions<T> {
  /** Refusals kept at once, apart from the other outcomes (default: none kept). */
  readonly maxRefusals?: number;
  /** Which outcomes are refusals (default: none). */
  readonly isRefusal?: (outcome: Outcome<T>) => boolean;
}

type Entry<T> = { readonly outcome: Outcome<T>; readonly expiresAt: number };

export class DecisionCache<T> {
  readonly #maxEntries: number;
  readonly #maxRefusals: number;
  readonly #isRefusal: (outcome: Outcome<T>) => boolean;
  readonly #entries = new Map<string, Entry<T>>();
  readonly #refusals = new Map<string, Entry<T>>();
  readonly #inFlight = new Map<string, Promise<Outcome<T>>>();

  constructor(maxEntries: number, options: DecisionCacheOptions<T> = {}) {
    this.#maxEntries = maxEntries;
    this.#maxRefusals = options.maxRefusals ?? 0;
    this.#isRefusal = options.isRefusal ?? (() => false);
  }

  /**
   * The cached outcome for `key`, or the outcome of `lookup`, shared with every concurrent caller of the same key.
   * `expiresAt(outcome)` says until when (epoch ms) it may be reused; a time not in the future keeps it out.
   */
  async get(key: string, lookup: () => Promise<T>, expiresAt: (outcome: Outcome<T>) => number): Promise<Outcome<T>> {
    const now = Date.now();
    for (const entries of [this.#entries, this.#refusals]) {
      const entry = entries.get(key);
      if (entry === undefined) continue;
      entries.delete(key);
      if (entry.expiresAt > now) {
        entries.set(key, entry); // most recently used last
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
    this.#entries.delete(key);
    this.#refusals.delete(key);
    const refusal = this.#isRefusal(outcome);
    const entries = refusal ? this.#refusals : this.#entries;
    const max = refusal ? this.#maxRefusals : this.#maxEntries;
    if (max === 0 || expiresAt <= Date.now()) return;
    while (entries.size >= max) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
    entries.set(key, { outcome, expiresAt });
  }
}
