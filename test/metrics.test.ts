/**
 * Metrics as CloudWatch receives them: the production entry runs in a child process (real dynalite, the test
 * issuer or the dev ZITADEL) and the embedded-metric-format lines it writes are parsed and checked — names,
 * dimensions, units and values — for a success, refusals (ours, ZITADEL's and none) and a fault.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDevZitadel } from '../infra/local/dev-zitadel/index.ts';
import { putAction, startDynamo, TABLE, type Dynamo } from './support/dynamodb.ts';
import { orgClaims, PROJECT_ID, startIssuer, type Issuer } from './support/issuer.ts';
import { freePort } from './support/ports.ts';
import { runScenario, type EmfRecord } from './support/run-scenario.ts';

const ORG = '69629023906488334';
const SERVICE = 'deactivate-action';

let dynamo: Dynamo;
let issuer: Issuer;
before(async () => {
  [dynamo, issuer] = await Promise.all([startDynamo(), startIssuer()]);
});
after(async () => {
  await Promise.all([dynamo.close(), issuer.close()]);
});

const claimsEnv = (env: Record<string, string> = {}) => ({
  AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  ZITADEL_ISSUER: issuer.url,
  ZITADEL_AUDIENCE: PROJECT_ID,
  AUTHZ_MODE: 'claims',
  ACTIONS_TABLE: TABLE,
  POWERTOOLS_SERVICE_NAME: SERVICE,
  ...env,
});

/** A record reduced to what CloudWatch makes of it: namespace, dimension sets, metric name → [unit, value], dimension values. */
function summary(record: EmfRecord) {
  const [directive] = record._aws.CloudWatchMetrics;
  assert.ok(directive, 'one metric directive per line');
  assert.equal(record._aws.CloudWatchMetrics.length, 1);
  const dimensionNames = directive.Dimensions.flat();
  return {
    namespace: directive.Namespace,
    dimensions: Object.fromEntries(dimensionNames.map((name) => [name, record[name]])),
    metrics: Object.fromEntries(directive.Metrics.map(({ Name, Unit }) => [Name, [Unit, record[Name]]])),
  };
}

/** Latencies vary: checks unit and that it is a non-negative number, then pins it to 'ms' for deepEqual. */
function withLatencies(metrics: Record<string, unknown>, names: string[]) {
  for (const name of names) {
    const [unit, value] = metrics[name] as [string, unknown];
    assert.equal(unit, 'Milliseconds', name);
    assert.ok(typeof value === 'number' && value >= 0, `${name} is a duration, got ${String(value)}`);
    metrics[name] = ['Milliseconds', 'ms'];
  }
  return metrics;
}

test('claims mode: ColdStart once, then per request Requests, Deactivations and DynamoDBLatency; refusals by errorId on their own line', async () => {
  const ACTION = '69629023906480001';
  await putAction(dynamo.client, { resourceOwner: ORG, id: ACTION });
  const owner = issuer.token(orgClaims(ORG, { ORG_OWNER: [ORG] }));
  const calls = [
    { id: ACTION, options: { token: owner } }, // 200
    { id: ACTION, options: { token: owner } }, // 400 COMMAND-Dgj92 (not active)
    { id: ACTION, options: {} }, // 401 auth header missing (no id)
  ];
  const { metrics, statuses } = await runScenario(calls, claimsEnv());
  assert.deepEqual(statuses, [200, 400, 401]);
  const lines = metrics.map(summary);
  const ns = 'ZitadelDeactivateAction';
  assert.deepEqual(
    lines.map((l) => ({ ...l, metrics: withLatencies(l.metrics, Object.keys(l.metrics).filter((n) => n.endsWith('Latency'))) })),
    [
      { namespace: ns, dimensions: { service: SERVICE, function_name: 'deactivate-action' }, metrics: { ColdStart: ['Count', 1] } },
      {
        namespace: ns,
        dimensions: { service: SERVICE },
        metrics: { DynamoDBLatency: ['Milliseconds', 'ms'], Requests: ['Count', 1], Deactivations: ['Count', 1] },
      },
      { namespace: ns, dimensions: { service: SERVICE, errorId: 'COMMAND-Dgj92' }, metrics: { Refusals: ['Count', 1] } },
      { namespace: ns, dimensions: { service: SERVICE }, metrics: { DynamoDBLatency: ['Milliseconds', 'ms'], Requests: ['Count', 1] } },
      { namespace: ns, dimensions: { service: SERVICE, errorId: 'none' }, metrics: { Refusals: ['Count', 1] } },
      { namespace: ns, dimensions: { service: SERVICE }, metrics: { Requests: ['Count', 1] } },
    ],
  );
});

test('a fault (DynamoDB unreachable): Refusals with errorId STORE-Dyn14, its latency recorded, in the namespace POWERTOOLS_METRICS_NAMESPACE names', async () => {
  const owner = issuer.token(orgClaims(ORG, { ORG_OWNER: [ORG] }));
  const deadEndpoint = `http://127.0.0.1:${await freePort()}`;
  const { metrics, statuses, lines } = await runScenario(
    [{ id: '69629023906480002', options: { token: owner } }],
    claimsEnv({ AWS_ENDPOINT_URL_DYNAMODB: deadEndpoint, POWERTOOLS_METRICS_NAMESPACE: 'OpsTeamDeactivate' }),
  );
  assert.deepEqual(statuses, [503]);
  assert.equal(JSON.parse(lines.at(-1)!).errorId, 'STORE-Dyn14');
  const summaries = metrics.map(summary);
  assert.deepEqual(
    summaries.map((s) => s.namespace),
    ['OpsTeamDeactivate', 'OpsTeamDeactivate', 'OpsTeamDeactivate'],
  );
  assert.deepEqual(summaries[1], { namespace: 'OpsTeamDeactivate', dimensions: { service: SERVICE, errorId: 'STORE-Dyn14' }, metrics: { Refusals: ['Count', 1] } });
  assert.deepEqual(withLatencies(summaries[2]!.metrics, ['DynamoDBLatency']), { DynamoDBLatency: ['Milliseconds', 'ms'], Requests: ['Count', 1] });
});

test('zitadel mode: a decision-cache miss with the ZITADEL lookup latency, then a hit; an id of ZITADEL outside our catalogue counts as "other"', async () => {
  const zitadel = await startDevZitadel();
  try {
    const ACTION = '69629023906480003';
    await putAction(dynamo.client, { resourceOwner: ORG, id: ACTION });
    zitadel.addOrganization(ORG);
    zitadel.addUser({ id: 'owner-1', orgId: ORG });
    zitadel.addMembership('owner-1', { role: 'ORG_OWNER', orgId: ORG });
    const token = zitadel.issueOpaque('owner-1');
    const calls = [
      { id: ACTION, options: { token } }, // 200: miss, lookup
      { id: ACTION, options: { token } }, // 400 not active: hit
      // 403 AUTH-DZG21 from ZITADEL (an origin the token's application does not allow; not an id of ours): miss, lookup
      { id: ACTION, options: { token, headers: { origin: 'https://elsewhere.example' } } },
    ];
    const { metrics, statuses } = await runScenario(calls, {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      ZITADEL_ISSUER: zitadel.url,
      AUTHZ_MODE: 'zitadel',
      ACTIONS_TABLE: TABLE,
      POWERTOOLS_SERVICE_NAME: SERVICE,
    });
    assert.deepEqual(statuses, [200, 400, 403]);
    const requestLines = metrics.map(summary).filter((s) => 'Requests' in s.metrics);
    const latencies = ['ZitadelLookupLatency', 'DynamoDBLatency'];
    assert.deepEqual(
      requestLines.map((s) => withLatencies(s.metrics, latencies.filter((n) => n in s.metrics))),
      [
        { DecisionCacheMisses: ['Count', 1], ZitadelLookupLatency: ['Milliseconds', 'ms'], DynamoDBLatency: ['Milliseconds', 'ms'], Requests: ['Count', 1], Deactivations: ['Count', 1] },
        { DecisionCacheHits: ['Count', 1], DynamoDBLatency: ['Milliseconds', 'ms'], Requests: ['Count', 1] },
        { DecisionCacheMisses: ['Count', 1], ZitadelLookupLatency: ['Milliseconds', 'ms'], Requests: ['Count', 1] },
      ],
    );
    const refusals = metrics.map(summary).filter((s) => 'Refusals' in s.metrics).map((s) => s.dimensions.errorId);
    assert.deepEqual(refusals, ['COMMAND-Dgj92', 'other']);
  } finally {
    await zitadel.close();
  }
});
