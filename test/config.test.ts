import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../functions/deactivate-action/config.ts';
import { DEFAULT_ROLE_PERMISSIONS } from '../functions/domain/permissions.ts';

const base = {
  ZITADEL_ISSUER: 'https://my-instance.zitadel.cloud',
  ZITADEL_AUDIENCE: '250123456789012345',
  ACTIONS_TABLE: 'actions',
};

describe('configuration, checked once at cold start', () => {
  test('defaults: zitadel mode, key set and Auth API at the issuer, 30 s cache, ZITADEL role mapping', () => {
    assert.deepEqual(loadConfig(base), {
      authzMode: 'zitadel',
      issuer: 'https://my-instance.zitadel.cloud',
      audience: ['250123456789012345'],
      jwksUri: 'https://my-instance.zitadel.cloud/oauth/v2/keys',
      projectId: '250123456789012345',
      apiUrl: 'https://my-instance.zitadel.cloud',
      cacheSeconds: 30,
      tableName: 'actions',
      rolePermissions: DEFAULT_ROLE_PERMISSIONS,
      defaultLanguage: 'en',
    });
  });

  test('zitadel mode needs no audience; claims mode does', () => {
    const { ZITADEL_AUDIENCE: _unused, ...withoutAudience } = base;
    assert.deepEqual(loadConfig(withoutAudience).audience, []);
    assert.throws(() => loadConfig({ ...withoutAudience, AUTHZ_MODE: 'claims' }), /ZITADEL_AUDIENCE is not set/);
  });

  test('an unknown AUTHZ_MODE stops init with a message naming the choices', () => {
    assert.throws(() => loadConfig({ ...base, AUTHZ_MODE: 'token' }), /AUTHZ_MODE must be one of zitadel, claims, got "token"/);
  });

  test('ZITADEL_PROJECT_ID, ZITADEL_API_URL and AUTHZ_CACHE_SECONDS', () => {
    const config = loadConfig({
      ...base,
      ZITADEL_PROJECT_ID: '333',
      ZITADEL_API_URL: 'https://api.example.com/',
      AUTHZ_CACHE_SECONDS: '0',
    });
    assert.equal(config.projectId, '333');
    assert.equal(config.apiUrl, 'https://api.example.com');
    assert.equal(config.cacheSeconds, 0);
    for (const bad of ['-1', '1.5', 'ten', '301']) {
      assert.throws(() => loadConfig({ ...base, AUTHZ_CACHE_SECONDS: bad }), /AUTHZ_CACHE_SECONDS must be a whole number/);
    }
    assert.throws(() => loadConfig({ ...base, ZITADEL_API_URL: 'http://api.example.com' }), /ZITADEL_API_URL must use https/);
  });

  test('comma-separated audiences, explicit key set URI, custom role mapping', () => {
    const config = loadConfig({
      ...base,
      ZITADEL_AUDIENCE: ' 111 , 222 ,',
      ZITADEL_JWKS_URI: 'https://keys.example.com/jwks',
      ROLE_PERMISSIONS: '{"ACTION_ADMIN":["org.action.write"]}',
    });
    assert.deepEqual(config.audience, ['111', '222']);
    assert.equal(config.jwksUri, 'https://keys.example.com/jwks');
    assert.deepEqual(config.rolePermissions, { ACTION_ADMIN: ['org.action.write'] });
  });

  test('every missing variable is named in one message', () => {
    assert.throws(
      () => loadConfig({ AUTHZ_MODE: 'claims' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /ZITADEL_ISSUER is not set/.test(err.message) &&
        /ZITADEL_AUDIENCE is not set/.test(err.message) &&
        /ACTIONS_TABLE is not set/.test(err.message),
    );
  });

  test('plain http is refused for a non-loopback issuer or key set', () => {
    assert.throws(() => loadConfig({ ...base, ZITADEL_ISSUER: 'http://my-instance.zitadel.cloud' }), /ZITADEL_ISSUER must use https/);
    assert.throws(() => loadConfig({ ...base, ZITADEL_JWKS_URI: 'http://10.0.0.1/keys' }), /ZITADEL_JWKS_URI must use https/);
  });

  test('plain http is allowed for loopback issuers', () => {
    for (const host of ['127.0.0.1:8081', 'localhost:8081', '[::1]:8081']) {
      assert.equal(loadConfig({ ...base, ZITADEL_ISSUER: `http://${host}` }).jwksUri, `http://${host}/oauth/v2/keys`);
    }
  });

  test('a malformed role mapping is refused', () => {
    assert.throws(() => loadConfig({ ...base, ROLE_PERMISSIONS: '{"ORG_OWNER":"org.action.write"}' }), /ROLE_PERMISSIONS/);
    assert.throws(() => loadConfig({ ...base, ROLE_PERMISSIONS: 'not json' }), /ROLE_PERMISSIONS/);
  });

  test('the Lambda entry fails at init with the message, not at the first request', async () => {
    const run = promisify(execFile)(process.execPath, ['-e', "await import('./functions/deactivate-action/index.ts')"], {
      env: { PATH: process.env.PATH, ZITADEL_AUDIENCE: '1' },
    });
    await assert.rejects(run, (err: { stderr: string }) => /ZITADEL_ISSUER is not set; ACTIONS_TABLE is not set/.test(err.stderr));
  });
});
