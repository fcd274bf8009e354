import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { putAction, startDynamo, TABLE, type Dynamo } from './support/dynamodb.ts';
import { runScenario as runScenarioIn } from './support/run-scenario.ts';
import { generateSigningKey, orgClaims, PROJECT_ID, signJwt, startIssuer, type Issuer } from './support/issuer.ts';

const ORG = '69629023906488334';
const ACTION = '69629023906488999';

let dynamo: Dynamo;
let issuer: Issuer;
before(async () => {
  dynamo = await startDynamo();
  issuer = await startIssuer();
  await putAction(dynamo.client, { resourceOwner: ORG, id: ACTION });
});
after(async () => {
  await Promise.all([dynamo.close(), issuer.close()]);
});

/** Runs the production entry in a child process and returns its log lines (metric lines apart) and the statuses. */
function runScenario(calls: unknown[], env: Record<string, string> = {}) {
  return runScenarioIn(calls, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    ZITADEL_ISSUER: issuer.url,
    ZITADEL_AUDIENCE: PROJECT_ID,
    AUTHZ_MODE: 'claims',
    ACTIONS_TABLE: TABLE,
    POWERTOOLS_SERVICE_NAME: 'deactivate-action',
    ...env,
  });
}

test('one structured log line per request, with request id, org, action and outcome, and never a token', async () => {
  const owner = issuer.token(orgClaims(ORG, { ORG_OWNER: [ORG] }));
  const [header, payload] = owner.split('.');
  const forged = signJwt(generateSigningKey('rsa-1', 'RS256'), { iss: issuer.url, aud: [PROJECT_ID], sub: 'x', exp: 9e9 });
  const calls = [
    { id: ACTION, options: { token: owner } }, // 200
    { id: ACTION, options: { token: owner } }, // 400 not active
    { id: 'missing', options: { token: owner } }, // 404
    { id: ACTION, options: { token: owner, orgHeader: '999' } }, // 403
    { id: ACTION, options: { token: forged } }, // 401, bad signature
    { id: ACTION, options: { authorization: `Bearer ${header}.not-json.${payload}` } }, // 401, parse error
    { id: ACTION, options: { token: owner, body: '{"secret":' } }, // 400 malformed body
  ];
  const { lines, statuses } = await runScenario(calls);
  assert.deepEqual(statuses, [200, 400, 404, 403, 401, 401, 400]);
  assert.equal(lines.length, calls.length, 'one line per request');

  const records = lines.map((l) => JSON.parse(l));
  for (const record of records) {
    assert.equal(record.service, 'deactivate-action');
    assert.match(record.function_request_id, /^aws-req-\d+$/);
    assert.equal(record.actionId === ACTION || record.actionId === 'missing', true);
    assert.ok(['deactivated', 'rejected', 'failed'].includes(record.outcome));
  }
  assert.deepEqual(
    records.map((r) => [r.level, r.outcome, r.status, r.errorId]),
    [
      ['INFO', 'deactivated', undefined, undefined],
      ['INFO', 'rejected', 400, 'COMMAND-Dgj92'],
      ['INFO', 'rejected', 404, 'COMMAND-NRmhu'],
      ['INFO', 'rejected', 403, 'AUTH-5mWD2'],
      ['INFO', 'rejected', 401, 'AUTH-7fs1e'],
      ['INFO', 'rejected', 401, 'AUTH-7fs1e'],
      ['INFO', 'rejected', 400, 'REQUEST-B0dyj'],
    ],
  );
  assert.equal(records[0].orgId, ORG);
  assert.equal(records[0].userId, 'user-1');
  assert.equal(records[4].cause, 'TokenRejected: signature');
  assert.equal(records[5].cause, 'TokenRejected: malformed');

  const output = lines.join('\n');
  for (const secret of [owner, forged, header!, payload!, owner.split('.')[2]!, forged.split('.')[2]!, 'Bearer', '"secret"']) {
    assert.ok(!output.includes(secret), `a log line contains ${secret.slice(0, 20)}…`);
  }
  assert.doesNotMatch(output, /authorization/i);
  // A stack inside a JSON line would be escaped: look for its frames, not for line breaks.
  assert.doesNotMatch(output, /\bat .*\.(ts|js|mjs):\d+/, 'no stack trace');
});

test('a failure (table missing) is logged as an error with its cause, still without stack or token', async () => {
  const owner = issuer.token(orgClaims(ORG, { ORG_OWNER: [ORG] }));
  const { lines, statuses } = await runScenario([{ id: ACTION, options: { token: owner } }], { ACTIONS_TABLE: 'no-such-table' });
  assert.deepEqual(statuses, [500]);
  assert.equal(lines.length, 1, lines.join('\n'));
  const record = JSON.parse(lines[0]!);
  assert.equal(record.level, 'ERROR');
  assert.equal(record.outcome, 'failed');
  assert.equal(record.errorId, 'API-1nt3r');
  assert.match(record.cause, /^ResourceNotFoundException: /);
  assert.ok(!lines[0]!.includes(owner.split('.')[2]!));
  assert.doesNotMatch(lines[0]!, /\bat .*\.(ts|js|mjs):\d+/, 'no stack trace');
});
