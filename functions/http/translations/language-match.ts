/**
 * How ZITADEL picks the language of a translated error (`internal/i18n/translator.go` → go-i18n's
 * `Localizer` → golang.org/x/text/language's `Matcher`), for ZITADEL's own list of languages:
 *
 * 1. The wanted tags, in order: the user's preferred language, then `Accept-Language`. Each string is read
 *    with `language.ParseAcceptLanguage`: entries sorted by `q` (stable, highest first), `q=0` dropped, and
 *    one malformed entry or weight discards that whole string (go-i18n skips it).
 * 2. The matcher takes the first wanted tag whose language ZITADEL has in the same script (`de-CH` → `de`,
 *    `zh-HK` → `zh-TW`); an exact match of a later tag of the same language may still win (`de-CH, de`).
 *    Once a language is matched, later tags of other languages are not looked at (`fr-CH;q=0.9, de;q=0.8` → fr).
 * 3. No match: the first supported language in the script of a wanted tag (`sr` → the first Cyrillic one),
 *    else the default language (the bundle's first tag, the instance default).
 *
 * Not reproduced: x/text's CLDR "mutual intelligibility" pairs (e.g. a wanted `nn` matching `nb` with high
 * confidence) and its refusal of well-formed but unregistered language subtags (`xx` makes x/text discard the
 * whole header; here it is just not matched).
 */

/** Longer headers are not a browser's: read as if absent (x/text refuses lists of more than 1,000 subtags). */
export const MAX_ACCEPT_LANGUAGE_LENGTH = 4096;
/** More entries than this: read as if absent. */
export const MAX_ACCEPT_LANGUAGE_ENTRIES = 256;
/** Entries looked at, highest weight first. */
export const MAX_WANTED_TAGS = 32;

export interface WantedTag {
  readonly language: string;
  readonly script: string | undefined;
  readonly region: string | undefined;
  /** Script and region after CLDR's likely subtags (`de` → Latn, DE). */
  readonly maxScript: string | undefined;
  readonly maxRegion: string | undefined;
}

/** x/text treats these deprecated and macro language codes as their replacement (`language.AliasMap`). */
const ALIASES: Readonly<Record<string, string>> = { no: 'nb', mo: 'ro', iw: 'he', in: 'id', ji: 'yi', jw: 'jv', tl: 'fil' };
/** x/text's `acceptFallback`: names some clients send instead of tags. `*` (mul) matches nothing. */
const ACCEPT_FALLBACK: Readonly<Record<string, string>> = { english: 'en', deutsch: 'de', italian: 'it', french: 'fr' };

function toTag(text: string): WantedTag | undefined {
  let locale: Intl.Locale;
  let max: Intl.Locale;
  try {
    // BCP 47 tags; x/text also accepts `_` as the separator.
    locale = new Intl.Locale(text.replaceAll('_', '-'));
    // `und` has no language subtag: Intl reports none.
    const base = (locale.language as string | undefined) ?? 'und';
    max = new Intl.Locale(ALIASES[base] ?? base, {
      ...(locale.script === undefined ? {} : { script: locale.script }),
      ...(locale.region === undefined ? {} : { region: locale.region }),
    }).maximize();
  } catch {
    return undefined;
  }
  const subtag = (locale.language as string | undefined) ?? 'und';
  const language = ALIASES[subtag] ?? subtag;
  // `und-CH` is wanted as the language likely there (de); a bare `und` matches no language.
  const inferred = language === 'und' && (locale.script !== undefined || locale.region !== undefined);
  return { language: inferred ? max.language : language, script: locale.script, region: locale.region, maxScript: max.script, maxRegion: max.region };
}

const WEIGHT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * `language.ParseAcceptLanguage`: the tags of one header (or one preferred-language string), highest weight
 * first; `undefined` when any entry is malformed (x/text then returns an error and go-i18n uses no tag of it).
 */
export function parseAcceptLanguage(header: string): WantedTag[] | undefined {
  if (header.length > MAX_ACCEPT_LANGUAGE_LENGTH) return undefined;
  const entries: Array<{ tag: WantedTag | undefined; q: number }> = [];
  const rawEntries = header.split(',');
  if (rawEntries.length > MAX_ACCEPT_LANGUAGE_ENTRIES) return undefined;
  for (const rawEntry of rawEntries) {
    const entry = rawEntry.trim();
    if (entry === '') continue;
    const semicolon = entry.indexOf(';');
    const name = (semicolon < 0 ? entry : entry.slice(0, semicolon)).trim();
    let q = 1;
    if (semicolon >= 0) {
      const weight = /^q\s*=\s*(.*)$/s.exec(entry.slice(semicolon + 1).trim())?.[1]?.trim();
      if (weight === undefined || !WEIGHT.test(weight)) return undefined;
      q = Number(weight);
      if (q <= 0) continue;
    }
    if (name === '*') {
      entries.push({ tag: undefined, q });
      continue;
    }
    const tag = toTag(ACCEPT_FALLBACK[name] ?? name);
    if (tag === undefined) return undefined;
    entries.push({ tag, q });
  }
  // Array.prototype.sort is stable: equal weights keep the header's order, as sort.Stable does.
  return entries
    .sort((a, b) => b.q - a.q)
    .flatMap(({ tag }) => (tag === undefined ? [] : [tag]))
    .slice(0, MAX_WANTED_TAGS);
}

/** x/text's confidence of a match: No < Low < High < Exact. */
const Confidence = { No: 0, Low: 1, High: 2, Exact: 3 } as const;
type Confidence = (typeof Confidence)[keyof typeof Confidence];

/** zh in Hans and zh in Hant are the only pair of different scripts x/text matches (with low confidence). */
const ALT_SCRIPTS: ReadonlySet<string> = new Set(['zh Hans Hant', 'zh Hant Hans']);

function confidence(have: WantedTag, want: WantedTag): Confidence {
  if (have.language !== want.language) return Confidence.No;
  if (have.script === want.script && have.region === want.region) return Confidence.Exact;
  if (have.maxScript !== want.maxScript) {
    return ALT_SCRIPTS.has(`${want.language} ${have.maxScript ?? ''} ${want.maxScript ?? ''}`) ? Confidence.Low : Confidence.No;
  }
  return have.maxRegion === want.maxRegion ? Confidence.Exact : Confidence.High;
}

/** A matcher over `supported` (the default language first, as go-i18n's bundle lists its tags). */
export function createLanguageMatcher(supported: readonly string[]) {
  const defaultLanguage = supported[0];
  if (defaultLanguage === undefined) throw new Error('no supported language');
  // Built on the first match, not at init: `Intl.Locale#maximize` over every language costs about 2 ms of
  // CPU at a cold start (ICU's data loaded), and only an error response needs a language.
  let parsed: Array<{ name: string; tag: WantedTag }> | undefined;
  const supportedTags = () =>
    (parsed ??= supported.map((name) => {
      const tag = toTag(name);
      if (tag === undefined) throw new Error(`not a language tag: ${name}`);
      return { name, tag };
    }));

  /** The supported language for the wanted tags (`language.Matcher.Match`), the default when none fits. */
  return function match(wanted: readonly WantedTag[]): string {
    const haves = supportedTags();
    let best: { name: string; conf: Confidence; language: string; pinned: boolean } | undefined;
    for (const [index, want] of wanted.entries()) {
      const laterSameLanguage = wanted.slice(index + 1).some((w) => w.language === want.language);
      for (const have of haves) {
        const conf = confidence(have.tag, want);
        if (conf === Confidence.No || (best !== undefined && conf <= best.conf)) continue;
        // A language once matched in its own script is kept against later tags of other languages.
        if (best?.pinned === true && want.language !== best.language) continue;
        best = { name: have.name, conf, language: want.language, pinned: conf >= Confidence.High && !laterSameLanguage };
      }
      if (best?.conf === Confidence.Exact) return best.name;
    }
    if (best !== undefined) return best.name;
    // x/text's preferSameScript: the first supported language written in the script of a wanted tag.
    for (const want of wanted) {
      const sameScript = haves.find((have) => want.maxScript !== undefined && have.tag.maxScript === want.maxScript);
      if (sameScript !== undefined) return sameScript.name;
    }
    return defaultLanguage;
  };
}
