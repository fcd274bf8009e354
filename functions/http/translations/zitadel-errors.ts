/**
 * ZITADEL's own texts for the error keys this function translates, as DATA (nothing else in the code holds a
 * translated text). Source: github.com/zitadel/zitadel, `internal/static/i18n/<language>.yaml` (the `Errors:`
 * block: `IDMissing`, and `Action:` → `NotFound`, `NotActive`), copied verbatim from the commit named per
 * language. `ZITADEL_LANGUAGES` is every `<language>.yaml` in that folder: the languages ZITADEL's translator
 * supports (`internal/i18n/languages.go`). A language without a text for a key falls back to the default
 * language's text, then to the key itself, as go-i18n does in ZITADEL.
 */

/** Every `internal/static/i18n/<language>.yaml` of ZITADEL, in the order ZITADEL reads the folder. */
export const ZITADEL_LANGUAGES: readonly string[] = Object.freeze(["ar", "bg", "ca", "cs", "da", "de", "en", "es", "fr", "hi", "hu", "id", "it", "ja", "kk", "ko", "lt", "mk", "nb", "nl", "pl", "pt", "ro", "ru", "sk", "sl", "sq", "sv", "th", "tr", "uk", "vi", "zh-TW", "zh"]);

/** Where each language's texts were copied from: the commit of `internal/static/i18n/<language>.yaml`. */
export const ZITADEL_TEXT_SOURCES: Readonly<Record<string, string>> = Object.freeze({
  "ar": "0a6e7abca32e290502f1cb7bd5fa7b2cbaaf8c27",
  "bg": "01e1dd392bd31d12634ebe3e477896c402e55b46",
  "ca": "3e72e56d083321efb188b7ee188d96e1176d2733",
  "cs": "005a20bb709991f8b5507e3fc39c74721c470987",
  "da": "0da631413f6d519a16add59d07c2f65266fa5d96",
  "de": "f983f7aa948ffe5eaeb7ccc3bcc9d07bafe4f6a9",
  "en": "003b87275c3ab64c07dfb77d2ff59bb4d3e6913d",
  "es": "01e1dd392bd31d12634ebe3e477896c402e55b46",
  "fr": "003b87275c3ab64c07dfb77d2ff59bb4d3e6913d",
  "hi": "477c412a8e8f9802c49dea6279bda28912205f88",
  "hu": "003b87275c3ab64c07dfb77d2ff59bb4d3e6913d",
  "id": "076fef219e8017657226df27083e85254668033b",
  "it": "003b87275c3ab64c07dfb77d2ff59bb4d3e6913d",
  "ja": "00f36bae68fe3b7be16391666e4806ae6c9a3dc7",
  "kk": "4198090f86c5d60ddaaa79d4abfc36baa4cd4eee",
  "ko": "005a20bb709991f8b5507e3fc39c74721c470987",
  "lt": "761ef17fdb81a28adf4b2e9d0eadee464585ccd4",
  "mk": "01e1dd392bd31d12634ebe3e477896c402e55b46",
  "nb": "81abd02c5095437dd61997489c3b39b4d5d1bf9d",
  "nl": "005659449bf2eba75c287abb342a0992d9db35b1",
  "pl": "005659449bf2eba75c287abb342a0992d9db35b1",
  "pt": "01e1dd392bd31d12634ebe3e477896c402e55b46",
  "ro": "06bd4a125023cd85820903b4b93d95ed9ba18644",
  "ru": "005659449bf2eba75c287abb342a0992d9db35b1",
  "sk": "8cf181f706c08922901d2a146efc491831d422ac",
  "sl": "2c98cc6895725f0704b98ed82f9bf576ea525797",
  "sq": "c540deef3edc248f7b7124e2f0ca5f3449fb71c7",
  "sv": "044c5a7557f56787a4bb1d0aec1110d468404c2e",
  "th": "32b214309784e58781227b22578c9239b9b558bf",
  "tr": "005a20bb709991f8b5507e3fc39c74721c470987",
  "uk": "03eb0ce11069f022c9d52ccc5620875b37015ff7",
  "vi": "36b162704fc007f2d73707291cc7ed3262452aaa",
  "zh-TW": "5c5803126178963530b780e51e36dd6567a5e0cd",
  "zh": "00f36bae68fe3b7be16391666e4806ae6c9a3dc7",
});

/** language → i18n key → ZITADEL's text. */
export const ZITADEL_ERROR_TEXTS: Readonly<Record<string, Readonly<Record<string, string>>>> = Object.freeze({
  "ar": Object.freeze({ "Errors.IDMissing": "المعرف مفقود", "Errors.Action.NotFound": "الإجراء غير موجود", "Errors.Action.NotActive": "الإجراء ليس نشطاً" }),
  "bg": Object.freeze({ "Errors.IDMissing": "Липсва лична карта", "Errors.Action.NotFound": "Действието не е намерено", "Errors.Action.NotActive": "Действието не е активно" }),
  "ca": Object.freeze({ "Errors.IDMissing": "Falta l'ID", "Errors.Action.NotFound": "Acció no trobada", "Errors.Action.NotActive": "L'acció no està activa" }),
  "cs": Object.freeze({ "Errors.IDMissing": "Chybí ID", "Errors.Action.NotFound": "Akce nenalezena", "Errors.Action.NotActive": "Akce není aktivní" }),
  "da": Object.freeze({ "Errors.IDMissing": "ID mangler", "Errors.Action.NotFound": "Handlingen blev ikke fundet", "Errors.Action.NotActive": "Handlingen er ikke aktiv" }),
  "de": Object.freeze({ "Errors.IDMissing": "ID fehlt", "Errors.Action.NotFound": "Action wurde nicht gefunden", "Errors.Action.NotActive": "Action ist nicht aktiv" }),
  "en": Object.freeze({ "Errors.IDMissing": "ID missing", "Errors.Action.NotFound": "Action not found", "Errors.Action.NotActive": "Action is not active" }),
  "es": Object.freeze({ "Errors.IDMissing": "Falta el ID", "Errors.Action.NotFound": "Acción no encontrada", "Errors.Action.NotActive": "La acción no está activa" }),
  "fr": Object.freeze({ "Errors.IDMissing": "ID manquant", "Errors.Action.NotFound": "Action non trouvée", "Errors.Action.NotActive": "L'action n'est pas active" }),
  "hi": Object.freeze({ "Errors.IDMissing": "ID गायब है", "Errors.Action.NotFound": "एक्शन नहीं मिला", "Errors.Action.NotActive": "एक्शन सक्रिय नहीं है" }),
  "hu": Object.freeze({ "Errors.IDMissing": "Hiányzó azonosító", "Errors.Action.NotFound": "Művelet nem található", "Errors.Action.NotActive": "A művelet nem aktív" }),
  "id": Object.freeze({ "Errors.IDMissing": "ID hilang", "Errors.Action.NotFound": "Tindakan tidak ditemukan", "Errors.Action.NotActive": "Tindakan tidak aktif" }),
  "it": Object.freeze({ "Errors.IDMissing": "ID mancante", "Errors.Action.NotFound": "L'azione non trovata", "Errors.Action.NotActive": "L'azione non è attiva" }),
  "ja": Object.freeze({ "Errors.IDMissing": "IDがありません", "Errors.Action.NotFound": "アクションが見つかりません", "Errors.Action.NotActive": "アクションはアクティブではありません" }),
  "kk": Object.freeze({ "Errors.IDMissing": "ID көрсетілмеген", "Errors.Action.NotFound": "Әрекет табылмады", "Errors.Action.NotActive": "Әрекет белсенді емес" }),
  "ko": Object.freeze({ "Errors.IDMissing": "ID가 누락되었습니다", "Errors.Action.NotFound": "작업을 찾을 수 없습니다", "Errors.Action.NotActive": "작업이 활성화되지 않았습니다" }),
  "lt": Object.freeze({ "Errors.IDMissing": "Trūksta ID", "Errors.Action.NotFound": "Veiksmas nerastas", "Errors.Action.NotActive": "Veiksmas neaktyvus" }),
  "mk": Object.freeze({ "Errors.IDMissing": "Недостасува ID", "Errors.Action.NotFound": "Акцијата не е пронајдена", "Errors.Action.NotActive": "Акцијата не е активна" }),
  "nb": Object.freeze({ "Errors.IDMissing": "ID mangler", "Errors.Action.NotFound": "Handling ble ikke funnet", "Errors.Action.NotActive": "Handling er ikke aktiv" }),
  "nl": Object.freeze({ "Errors.IDMissing": "ID ontbreekt", "Errors.Action.NotFound": "Actie niet gevonden", "Errors.Action.NotActive": "Actie is niet actief" }),
  "pl": Object.freeze({ "Errors.IDMissing": "ID brakuje", "Errors.Action.NotFound": "Działanie nie znalezione", "Errors.Action.NotActive": "Działanie nie jest aktywne" }),
  "pt": Object.freeze({ "Errors.IDMissing": "ID ausente", "Errors.Action.NotFound": "A ação não foi encontrada", "Errors.Action.NotActive": "A ação não está ativa" }),
  "ro": Object.freeze({ "Errors.IDMissing": "ID lipsă" }),
  "ru": Object.freeze({ "Errors.IDMissing": "ID отсутствует", "Errors.Action.NotFound": "Действие не найдено", "Errors.Action.NotActive": "Действие не активно" }),
  "sk": Object.freeze({ "Errors.IDMissing": "ID missing", "Errors.Action.NotFound": "Action not found", "Errors.Action.NotActive": "Action is not active" }),
  "sl": Object.freeze({ "Errors.IDMissing": "ID manjka", "Errors.Action.NotFound": "Akcija ni bila najdena", "Errors.Action.NotActive": "Akcija ni aktivna" }),
  "sq": Object.freeze({ "Errors.IDMissing": "Mungon ID-ja", "Errors.Action.NotFound": "Action-i nuk u gjet", "Errors.Action.NotActive": "Action-i nuk është aktiv" }),
  "sv": Object.freeze({ "Errors.IDMissing": "ID saknas", "Errors.Action.NotFound": "Åtgärden hittades inte", "Errors.Action.NotActive": "Åtgärden är inte aktiv" }),
  "th": Object.freeze({ "Errors.IDMissing": "ไม่มี ID", "Errors.Action.NotFound": "ไม่พบการดำเนินการ", "Errors.Action.NotActive": "การดำเนินการไม่ได้ใช้งานอยู่" }),
  "tr": Object.freeze({ "Errors.IDMissing": "ID eksik", "Errors.Action.NotFound": "Eylem bulunamadı", "Errors.Action.NotActive": "Eylem aktif değil" }),
  "uk": Object.freeze({ "Errors.IDMissing": "Відсутній ідентифікатор", "Errors.Action.NotFound": "Дія не знайдена", "Errors.Action.NotActive": "Дія не активна" }),
  "vi": Object.freeze({ "Errors.IDMissing": "Thiếu ID", "Errors.Action.NotFound": "Không tìm thấy hành động", "Errors.Action.NotActive": "Hành động không hoạt động" }),
  "zh-TW": Object.freeze({ "Errors.IDMissing": "缺少 ID", "Errors.Action.NotFound": "找不到動作", "Errors.Action.NotActive": "動作未啟用" }),
  "zh": Object.freeze({ "Errors.IDMissing": "ID 丢失", "Errors.Action.NotFound": "动作不存在", "Errors.Action.NotActive": "动作不是启用状态" }),
});
