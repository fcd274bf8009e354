/**
 * Errors in the caller's language (issue 16, item 2), end to end on both routes: the dev ZITADEL (users/me with
 * the user's preferred language), dynalite, the production handler behind the local API-Gateway-shaped server.
 * Texts are ZITADEL's own (functions/http/translations/zitadel-errors.ts, copied from internal/static/i18n/).
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../functions/deactivate-action/config.ts';
import { Errors } from '../functions/domain/errors.ts';
import { createLanguageMatcher, parseAcceptLanguage } from '../functions/http/translations/language-match.ts';
import { createErrorTranslator } from '../functions/http/translations/translate-error.ts';
import { ZITADEL_ERROR_TEXTS, ZITADEL_LANGUAGES, ZITADEL_TEXT_SOURCES } from '../functions/http/translations/zitadel-errors.ts';
import { createLocalServer } from '../infra/local/server.ts';
import { call, zitadelError, type CallOptions } from './support/api.ts';
import { putAction, tableSnapshot } from './support/dynamodb.ts';
import { frame, postRaw, requestMessage, statusDetails } from './support/grpc-web.ts';
import { orgClaims } from './support/issuer.ts';
import { startWorld, type World } from './support/setup.ts';
import { startZitadelWorld, type ZitadelWorld } from './support/zitadel-world.ts';

const ORG = '310000000000000001';
const DE_USER = '320000000000000001'; // ORG_OWNER, profile language de
const NO_LANGUAGE_USER = '320000000000000002'; // ORG_OWNER, profile language und (none chosen)
const STRANGER = '320000000000000003'; // profile language de, no membership

// ZITADEL's texts (internal/static/i18n/{en,de,fr}.yaml).
const NOT_FOUND = { en: 'Action not found', de: 'Action wurde nicht gefunden', fr: 'Action non trouvée' };
const NOT_ACTIVE = { en: 'Action is not active', de: 'Action ist nicht aktiv', fr: "L'action n'est pas active" };
const ID_MISSING = { de: 'ID fehlt' };

describe('Accept-Language as golang.org/x/text/language reads and matches it', () => {
  const match = createLanguageMatcher(['en', ...ZITADEL_LANGUAGES.filter((l) => l !== 'en')]);
  const chosen = (header: string) => {
    const tags = parseAcceptLanguage(header);
    return tags === undefined ? 'header discarded' : match(tags);
  };
  const cases: Array<[string, string]> = [
    ['fr-CH;q=0.9, de;q=0.8', 'fr'], // the first language matched is kept (regional fallback fr-CH → fr)
    ['de;q=0.8, fr-CH;q=0.9', 'fr'], // order by weight, not by position
    ['de-CH', 'de'],
    ['de-CH, fr, de', 'fr'], // de-CH is not pinned while a later de follows: the exact fr wins (x/text)
    ['it;q=0, de', 'de'], // q=0 is "not acceptable"
    ['sw, de;q=0.5', 'de'], // unsupported languages are skipped
    ['zh-HK', 'zh-TW'], // same script (Hant) before the same language in another script
    ['zh-SG', 'zh'],
    ['pt-BR', 'pt'],
    ['no', 'nb'], // macro language
    ['DE_ch', 'de'],
    ['sw', 'en'], // nothing matches: the default (Latin, as Swahili)
    ['sr', 'bg'], // nothing matches: the first language in the same script (Cyrillic)
    ['de;q=abc, fr', 'header discarded'], // one bad weight discards the whole header
    ['', 'en'],
  ];
  for (const [header, expected] of cases) {
    test(`${JSON.stringify(header)} → ${expected}`, () => assert.equal(chosen(header), expected));
  }

  test('hostile headers cost little: over 4 KiB or 256 entries are read as absent', () => {
    assert.equal(parseAcceptLanguage(`de,${'x'.repeat(5000)}`), undefined);
    assert.equal(parseAcceptLanguage(Array.from({ length: 300 }, () => 'de').join(',')), undefined);
    assert.equal(parseAcceptLanguage(Array.from({ length: 200 }, () => 'de').join(','))?.length, 32);
  });
});

describe('the translator', () => {
  const translate = createErrorTranslator('en');
  test('the table holds only ZITADEL’s languages, each with a source commit and the three keys', () => {
    // ro.yaml nests its Action block under Errors.IAM.LabelPolicy (an indentation slip in ZITADEL's file), so
    // ZITADEL has no Errors.Action.* text in Romanian and answers with the default language's.
    const keysMissingInZitadel: Readonly<Record<string, readonly string[]>> = { ro: ['Errors.Action.NotActive', 'Errors.Action.NotFound'] };
    for (const [language, texts] of Object.entries(ZITADEL_ERROR_TEXTS)) {
      assert.ok(ZITADEL_LANGUAGES.includes(language), language);
      assert.match(ZITADEL_TEXT_SOURCES[language] ?? '', /^[0-9a-f]{40}$/, language);
      const missing = keysMissingInZitadel[language] ?? [];
      const expected = ['Errors.Action.NotActive', 'Errors.Action.NotFound', 'Errors.IDMissing'].filter((key) => !missing.includes(key));
      assert.deepEqual(Object.keys(texts).sort(), expected, language);
    }
  });
  test('a key ZITADEL’s file lacks falls back to the default language’s text', () => {
    assert.equal(translate(Errors.actionNotFound(), { acceptLanguage: 'ro' }).text, NOT_FOUND.en);
    assert.equal(createErrorTranslator('de')(Errors.actionNotFound(), { acceptLanguage: 'ro' }).text, NOT_FOUND.de);
    assert.equal(translate(Errors.idMissing(), { acceptLanguage: 'ro' }).text, 'ID lipsă');
  });
  test('translates only the command’s errors; a key keeps its id and code', () => {
    const error = translate(Errors.actionNotFound(), { acceptLanguage: 'de' });
    assert.deepEqual([error.code, error.id, error.text, error.message], [5, 'COMMAND-NRmhu', NOT_FOUND.de, `${NOT_FOUND.de} (COMMAND-NRmhu)`]);
    for (const untranslated of [Errors.tokenInvalid(), Errors.permissionDenied(), Errors.membershipNotFound(), Errors.storageUnavailable()]) {
      assert.equal(translate(untranslated, { acceptLanguage: 'de', preferredLanguage: 'de' }), untranslated);
    }
  });
  test('the preferred language comes first; und means none', () => {
    assert.equal(translate(Errors.actionNotActive(), { preferredLanguage: 'de', acceptLanguage: 'fr' }).text, NOT_ACTIVE.de);
    assert.equal(translate(Errors.actionNotActive(), { preferredLanguage: 'und', acceptLanguage: 'fr' }).text, NOT_ACTIVE.fr);
  });
  test('an unsupported default language is refused', () => {
    assert.throws(() => createErrorTranslator('xx'), /unsupported default language/);
  });
});

describe('DEFAULT_LANGUAGE, checked at init', () => {
  const env = { ZITADEL_ISSUER: 'https://example.zitadel.cloud', ACTIONS_TABLE: 'actions' };
  test('absent: en; one of ZITADEL’s languages in any case', () => {
    assert.equal(loadConfig(env).defaultLanguage, 'en');
    assert.equal(loadConfig({ ...env, DEFAULT_LANGUAGE: 'DE' }).defaultLanguage, 'de');
    assert.equal(loadConfig({ ...env, DEFAULT_LANGUAGE: 'zh_tw' }).defaultLanguage, 'zh-TW');
  });
  for (const bad of ['xx', 'de-CH', 'german']) {
    test(`"${bad}" is an init error naming the variable`, () => {
      assert.throws(
        () => loadConfig({ ...env, DEFAULT_LANGUAGE: bad }),
        (err: unknown) => err instanceof ConfigError && err.message.includes(`DEFAULT_LANGUAGE must be one of ZITADEL's languages`) && err.message.includes(`"${bad}"`),
      );
    });
  }
});

/** gRPC-web: the status of a call, its `grpc-message` decoded, and the ErrorDetail. */
async function grpcWebCall(baseUrl: string, id: string, headers: Record<string, string>) {
  const res = await postRaw(baseUrl, frame(0, requestMessage(id)), { 'content-type': 'application/grpc-web+proto', ...headers });
  assert.equal(res.status, 200);
  return {
    code: Number(res.headers.get('grpc-status')),
    message: decodeURIComponent(res.headers.get('grpc-message') ?? ''),
    details: statusDetails(res.headers.get('grpc-status-details-bin')).details.map(({ id, message }) => ({ id, message })),
  };
}

async function withLocalServer(handler: unknown) {
  const server: Server = createLocalServer({ handler: () => handler as never });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('zitadel mode: both routes answer in the caller’s language', () => {
  let world: ZitadelWorld;
  let local: Awaited<ReturnType<typeof withLocalServer>>;
  let nextAction = 0;
  before(async () => {
    world = await startZitadelWorld();
    const z = world.zitadel;
    z.addOrganization(ORG, 'a');
    z.addUser({ id: DE_USER, orgId: ORG, preferredLanguage: 'de' });
    z.addUser({ id: NO_LANGUAGE_USER, orgId: ORG, preferredLanguage: 'und' });
    z.addUser({ id: STRANGER, orgId: ORG, preferredLanguage: 'de' });
    z.addMembership(DE_USER, { role: 'ORG_OWNER', orgId: ORG });
    z.addMembership(NO_LANGUAGE_USER, { role: 'ORG_OWNER', orgId: ORG });
    local = await withLocalServer(world.handler);
  });
  after(async () => {
    await local.close();
    await world.close();
  });

  const newAction = async (state: 'ACTIVE' | 'INACTIVE' = 'ACTIVE') => {
    const id = `33100000000000${String(++nextAction).padStart(4, '0')}`;
    await putAction(world.dynamo.client, { resourceOwner: ORG, id, sequence: 1, ...(state === 'INACTIVE' ? { state } : {}) });
    return id;
  };

  /** Both routes, one expected answer; nothing is written. */
  async function expectOnBothRoutes(id: string, token: string | undefined, headers: Record<string, string>, status: number, body: ReturnType<typeof zitadelError>) {
    const before = await tableSnapshot(world.dynamo.client);
    const options: CallOptions = { headers, ...(token === undefined ? {} : { token }) };
    const json = await call(world.handler, id, options);
    assert.equal(json.status, status, JSON.stringify(json.body));
    assert.deepEqual(json.body, body);
    const grpc = await grpcWebCall(local.baseUrl, id, { ...headers, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) });
    assert.deepEqual(grpc, { code: body.code, message: body.message, details: body.details.map(({ id: detailId, message }) => ({ id: detailId, message })) });
    assert.deepEqual(await tableSnapshot(world.dynamo.client), before);
  }

  test('the dev ZITADEL answers the profile language in users/me', async () => {
    const res = await fetch(`${world.zitadel.url}/auth/v1/users/me`, { headers: { authorization: `Bearer ${world.zitadel.createPat(DE_USER)}` } });
    const body = (await res.json()) as { user: { human: { profile: { preferredLanguage: string } } } };
    assert.equal(body.user.human.profile.preferredLanguage, 'de');
  });

  test('a legacy (v1) JWT access token of a user whose preferred language is de: German, whatever Accept-Language says', async () => {
    const v1 = world.zitadel.issueJwt(DE_USER, { v1: true });
    await expectOnBothRoutes('331999999999999999', v1, { 'accept-language': 'fr' }, 404, zitadelError(5, 'COMMAND-NRmhu', NOT_FOUND.de));
    await expectOnBothRoutes(await newAction('INACTIVE'), v1, {}, 400, zitadelError(9, 'COMMAND-Dgj92', NOT_ACTIVE.de));
  });

  test('the same user with a v2 JWT, an opaque token or a PAT: no preferred language (ZITADEL keeps none for them), Accept-Language then the default', async () => {
    await expectOnBothRoutes('331999999999999997', world.zitadel.issueJwt(DE_USER), { 'accept-language': 'fr' }, 404, zitadelError(5, 'COMMAND-NRmhu', NOT_FOUND.fr));
    await expectOnBothRoutes('331999999999999996', world.zitadel.issueOpaque(DE_USER), { 'accept-language': 'fr' }, 404, zitadelError(5, 'COMMAND-NRmhu', NOT_FOUND.fr));
    await expectOnBothRoutes(await newAction('INACTIVE'), world.zitadel.createPat(DE_USER), {}, 400, zitadelError(9, 'COMMAND-Dgj92', NOT_ACTIVE.en));
  });

  test('no preferred language: Accept-Language "fr-CH;q=0.9, de;q=0.8" → French', async () => {
    await expectOnBothRoutes('331999999999999998', world.zitadel.createPat(NO_LANGUAGE_USER), { 'accept-language': 'fr-CH;q=0.9, de;q=0.8' }, 404, zitadelError(5, 'COMMAND-NRmhu', NOT_FOUND.fr));
  });

  test('no preferred language: Accept-Language "de-CH" → German', async () => {
    await expectOnBothRoutes(await newAction('INACTIVE'), world.zitadel.createPat(NO_LANGUAGE_USER), { 'accept-language': 'de-CH' }, 400, zitadelError(9, 'COMMAND-Dgj92', NOT_ACTIVE.de));
  });

  test('an unsupported language: the default (en)', async () => {
    await expectOnBothRoutes('331999999999999997', world.zitadel.createPat(NO_LANGUAGE_USER), { 'accept-language': 'sw' }, 404, zitadelError(5, 'COMMAND-NRmhu', NOT_FOUND.en));
  });

  test('gRPC-web without an id: "ID fehlt (COMMAND-DAhk5)"', async () => {
    const token = world.zitadel.issueJwt(DE_USER, { v1: true });
    assert.deepEqual(await grpcWebCall(local.baseUrl, '', { authorization: `Bearer ${token}` }), {
      code: 3,
      message: `${ID_MISSING.de} (COMMAND-DAhk5)`,
      details: [{ id: 'COMMAND-DAhk5', message: ID_MISSING.de }],
    });
  });

  test('the interceptor’s errors stay untranslated, as in ZITADEL', async () => {
    const german = { 'accept-language': 'de' };
    await expectOnBothRoutes('331999999999999996', 'not-a-token', german, 401, zitadelError(16, 'AUTH-7fs1e', 'Errors.Token.Invalid'));
    await expectOnBothRoutes('331999999999999996', world.zitadel.createPat(STRANGER), german, 404, zitadelError(5, 'AUTHZ-cdgFk', 'membership not found'));
    const json = await call(world.handler, '331999999999999996', { headers: german });
    assert.deepEqual([json.status, json.body], [401, { code: 16, message: 'auth header missing' }]);
  });

  test('a success is not touched by any of it', async () => {
    const id = await newAction();
    const res = await call(world.handler, id, { token: world.zitadel.createPat(DE_USER), headers: { 'accept-language': 'de' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.details.sequence, '2');
  });
});

describe('DEFAULT_LANGUAGE=de is the instance default', () => {
  let world: ZitadelWorld;
  before(async () => {
    world = await startZitadelWorld({ defaultLanguage: 'de' });
    world.zitadel.addOrganization(ORG, 'a');
    world.zitadel.addUser({ id: NO_LANGUAGE_USER, orgId: ORG, preferredLanguage: 'und' });
    world.zitadel.addMembership(NO_LANGUAGE_USER, { role: 'ORG_OWNER', orgId: ORG });
  });
  after(() => world.close());

  test('no preferred language, no Accept-Language: German; an unsupported one: German too', async () => {
    const token = world.zitadel.createPat(NO_LANGUAGE_USER);
    for (const headers of [{}, { 'accept-language': 'sw' }] as Array<Record<string, string>>) {
      const res = await call(world.handler, '331999999999999995', { token, headers });
      assert.deepEqual([res.status, res.body], [404, zitadelError(5, 'COMMAND-NRmhu', NOT_FOUND.de)]);
    }
    const english = await call(world.handler, '331999999999999995', { token, headers: { 'accept-language': 'en-GB' } });
    assert.deepEqual(english.body, zitadelError(5, 'COMMAND-NRmhu', NOT_FOUND.en));
  });
});

describe('claims mode: no preferred language (ZITADEL reads none from a JWT), Accept-Language then default', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());

  test('a locale claim in the token changes nothing; Accept-Language does', async () => {
    const token = world.issuer.token({ ...orgClaims(ORG, { ORG_OWNER: [ORG] }), locale: 'de' });
    const plain = await call(world.handler, '331999999999999994', { token });
    assert.deepEqual([plain.status, plain.body], [404, zitadelError(5, 'COMMAND-NRmhu', NOT_FOUND.en)]);
    const french = await call(world.handler, '331999999999999994', { token, headers: { 'accept-language': 'fr-CA' } });
    assert.deepEqual(french.body, zitadelError(5, 'COMMAND-NRmhu', NOT_FOUND.fr));
  });
});
