/**
 * Translation is presentation: the catalogue (domain/errors.ts) holds ZITADEL's i18n keys, and both bindings
 * render a translated error through this one function before they write it, so the JSON route and the
 * gRPC-web route answer in the same language with the same text.
 */
import { TRANSLATED_ERROR_IDS, ZitadelError } from '../../domain/errors.ts';
import { createLanguageMatcher, parseAcceptLanguage } from './language-match.ts';
import { ZITADEL_ERROR_TEXTS, ZITADEL_LANGUAGES } from './zitadel-errors.ts';

/** ZITADEL's instance default when none is configured. */
export const DEFAULT_LANGUAGE = 'en';

/** What a request says about its caller's language. */
export interface LanguageHints {
  /** The user's preferred language, as ZITADEL knows it (`und` or absent: none). */
  readonly preferredLanguage?: string | undefined;
  /** The request's `Accept-Language` header. */
  readonly acceptLanguage?: string | undefined;
}

/** `language` as one of ZITADEL's languages (`DE` → `de`, `zh_tw` → `zh-TW`), or undefined when it is not one. */
export function supportedLanguage(language: string): string | undefined {
  const wanted = language.trim().replaceAll('_', '-').toLowerCase();
  return ZITADEL_LANGUAGES.find((supported) => supported.toLowerCase() === wanted);
}

/**
 * ZITADEL's `TranslationHandler` for errors: a translated error's key becomes its text in the language chosen
 * from the hints (`language-match.ts`), else the default language's text, else the key (go-i18n's fallback).
 * Any other error is returned as it is.
 */
export function createErrorTranslator(defaultLanguage: string = DEFAULT_LANGUAGE) {
  const instanceDefault = supportedLanguage(defaultLanguage);
  if (instanceDefault === undefined) throw new Error(`unsupported default language: ${defaultLanguage}`);
  // go-i18n's bundle lists the default language first, then the files in the order read.
  const match = createLanguageMatcher([instanceDefault, ...ZITADEL_LANGUAGES.filter((l) => l !== instanceDefault)]);

  const languageFor = ({ preferredLanguage, acceptLanguage }: LanguageHints): string =>
    match([
      ...(preferredLanguage === undefined || preferredLanguage === 'und' ? [] : (parseAcceptLanguage(preferredLanguage) ?? [])),
      ...(acceptLanguage === undefined ? [] : (parseAcceptLanguage(acceptLanguage) ?? [])),
    ]);

  return function translate(error: ZitadelError, hints: LanguageHints): ZitadelError {
    if (!TRANSLATED_ERROR_IDS.has(error.id)) return error;
    const key = error.text;
    const text = ZITADEL_ERROR_TEXTS[languageFor(hints)]?.[key] ?? ZITADEL_ERROR_TEXTS[instanceDefault]?.[key] ?? key;
    return new ZitadelError(error.code, error.id, text, error.cause === undefined ? undefined : { cause: error.cause });
  };
}

export type ErrorTranslator = ReturnType<typeof createErrorTranslator>;
