/**
 * Where `java` is missing, the DynamoDB Local suites skip with one loud line naming the install
 * command; under CI=true they are required and the run fails. A real child test runner, with the
 * global setup `npm test` uses and a PATH that holds only this Node.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { JAVA_INSTALL_HINT } from '../infra/local/dynamodb-local.ts';

async function runWithoutJava(env: Record<string, string>) {
  const args = ['--test', '--test-global-setup=test/support/global-setup.ts', '--test-reporter=spec', 'test/fixtures/dynamodb-local-suite.ts'];
  // Nothing of the parent's DynamoDB Local or CI setting leaks in: only PATH (without java) and `env`.
  const childEnv = { PATH: dirname(process.execPath), HOME: process.env.HOME ?? '/tmp', ...env };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { env: childEnv });
    return { code: 0, output: `${stdout}\n${stderr}` };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: `${e.stdout}\n${e.stderr}` };
  }
}

describe('DynamoDB Local without java', () => {
  test('outside CI: the suites are reported as skipped, after one loud line with the install command', async () => {
    const { code, output } = await runWithoutJava({});
    assert.equal(code, 0, output);
    assert.match(output, /!!! SKIPPING every DynamoDB Local suite: java not found\./);
    assert.ok(output.includes(JAVA_INSTALL_HINT), output);
    // The suite is reported as skipped, with the hint as its reason; none of its tests ran.
    assert.ok(output.includes(`﹣ DynamoDB Local`) && output.includes(`# ${JAVA_INSTALL_HINT}`), output);
    assert.match(output, /ℹ pass 0\n/);
    assert.match(output, /ℹ fail 0\n/);
  });

  test('under CI=true: the run fails and says how to install java', async () => {
    const { code, output } = await runWithoutJava({ CI: 'true' });
    assert.notEqual(code, 0, output);
    assert.ok(output.includes(`CI=true requires the DynamoDB Local suites. ${JAVA_INSTALL_HINT}`), output);
  });
});
