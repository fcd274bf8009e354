/** The data folder's permissions (security finding 7), on real files. */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { restrictDataFolder } from '../../infra/local/local-state.ts';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('security finding 7: restrictDataFolder', () => {
  const root = mkdtempSync(join(tmpdir(), 'local-state-test-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  test('a new data folder is created 0700', () => {
    const dataDir = join(root, 'new', 'data');
    assert.deepEqual(restrictDataFolder(dataDir), { folderRestricted: true });
    assert.equal(modeOf(dataDir), 0o700);
  });

  test('a world-readable folder of an earlier version: the folder 0700, its folders 0700, its files without group/other bits', () => {
    const dataDir = join(root, 'old');
    mkdirSync(join(dataDir, 'dynamodb'), { recursive: true });
    mkdirSync(join(dataDir, 'dev-issuer'));
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'dynamodb'), 0o755);
    writeFileSync(join(dataDir, 'dynamodb', '000003.log'), 'x', { mode: 0o644 });
    writeFileSync(join(dataDir, 'dev-issuer', 'signing-key.pem'), 'x', { mode: 0o600 });
    writeFileSync(join(dataDir, 'local-server.json'), '{}', { mode: 0o664 });
    writeFileSync(join(dataDir, 'server.lock'), '1', { mode: 0o755 });

    assert.deepEqual(restrictDataFolder(dataDir), { folderRestricted: true });
    assert.equal(modeOf(dataDir), 0o700);
    assert.equal(modeOf(join(dataDir, 'dynamodb')), 0o700);
    assert.equal(modeOf(join(dataDir, 'dynamodb', '000003.log')), 0o600);
    assert.equal(modeOf(join(dataDir, 'dev-issuer', 'signing-key.pem')), 0o600);
    assert.equal(modeOf(join(dataDir, 'local-server.json')), 0o600);
    assert.equal(modeOf(join(dataDir, 'server.lock')), 0o700, 'owner bits kept, group/other removed');
  });

  test('DynamoDB Local\'s folder (dynamodb-local/) is the server\'s own: no "other files" note, and it is restricted too', () => {
    const dataDir = join(root, 'with-dynamodb-local');
    mkdirSync(join(dataDir, 'dynamodb-local'), { recursive: true, mode: 0o755 });
    mkdirSync(join(dataDir, 'dynamodb'));
    writeFileSync(join(dataDir, 'dynamodb-local', 'shared-local-instance.db'), 'x', { mode: 0o644 });
    chmodSync(join(dataDir, 'dynamodb-local'), 0o755);
    assert.deepEqual(restrictDataFolder(dataDir), { folderRestricted: true });
    assert.equal(modeOf(join(dataDir, 'dynamodb-local')), 0o700);
    assert.equal(modeOf(join(dataDir, 'dynamodb-local', 'shared-local-instance.db')), 0o600);
  });

  test('a DATA_DIR that holds other things keeps its own mode and theirs; the server\'s entries are still restricted; links are not followed', () => {
    const shared = join(root, 'shared');
    mkdirSync(join(shared, 'dev-zitadel'), { recursive: true });
    chmodSync(shared, 0o755);
    writeFileSync(join(shared, 'notes.txt'), 'mine', { mode: 0o644 });
    writeFileSync(join(shared, 'dev-zitadel', 'state.json'), '{}', { mode: 0o644 });
    const outside = join(root, 'outside.txt');
    writeFileSync(outside, 'x', { mode: 0o644 });
    symlinkSync(outside, join(shared, 'dev-zitadel', 'link'));

    assert.deepEqual(restrictDataFolder(shared), { folderRestricted: false });
    assert.equal(modeOf(shared), 0o755);
    assert.equal(modeOf(join(shared, 'notes.txt')), 0o644);
    assert.equal(modeOf(join(shared, 'dev-zitadel')), 0o700);
    assert.equal(modeOf(join(shared, 'dev-zitadel', 'state.json')), 0o600);
    assert.equal(modeOf(outside), 0o644);
  });
});
