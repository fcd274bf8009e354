/**
 * README code blocks that name their file on their first line (`// examples/web-app.ts`) are that file, byte
 * for byte: the file is what tsc, ESLint and the tests check, so the README cannot drift from it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';

const REPO = resolve(import.meta.dirname, '..');
const README = readFileSync(resolve(REPO, 'README.md'), 'utf8');
/** Fenced blocks whose first line is `// <path>` (or `# <path>`) of a file in the repository. */
const BLOCKS = [...README.matchAll(/^```[a-z]*\n((?:\/\/|#) ([\w./-]+\.\w+)\n[\s\S]*?)^```$/gm)].map((m) => ({ path: m[2]!, code: m[1]! }));

test('README blocks that name a file are that file, byte for byte', () => {
  assert.ok(BLOCKS.some((b) => b.path === 'examples/web-app.ts'), 'the web app example is in the README');
  for (const { path, code } of BLOCKS) assert.equal(code, readFileSync(resolve(REPO, path), 'utf8'), path);
});
