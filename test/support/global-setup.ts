/**
 * `node --test --test-global-setup=test/support/global-setup.ts` (what `npm test` runs): one
 * DynamoDB Local for every test file of the run, reached through TEST_DYNAMODB_LOCAL_ENDPOINT.
 * Without `java`: one loud line and the DynamoDB Local suites skip, except under CI=true, where
 * DynamoDB Local is required and the run fails here.
 */
import { javaAvailable, JAVA_INSTALL_HINT, startDynamoDBLocal, type DynamoDBLocal } from '../../infra/local/dynamodb-local.ts';
import { dynamoDBLocalRequired, SHARED_ENDPOINT_VARIABLE, UNAVAILABLE } from './engines.ts';

let server: DynamoDBLocal | undefined;

export async function globalSetup(): Promise<void> {
  // Handlers built in the test processes would write a metric line per request into the test output; the
  // metrics tests run the entry in a child process with an environment of their own, where they stay on.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  if (!javaAvailable()) {
    if (dynamoDBLocalRequired()) throw new Error(`CI=true requires the DynamoDB Local suites. ${JAVA_INSTALL_HINT}`);
    process.env[SHARED_ENDPOINT_VARIABLE] = UNAVAILABLE;
    process.stderr.write(`\n!!! SKIPPING every DynamoDB Local suite: java not found. ${JAVA_INSTALL_HINT}\n\n`);
    return;
  }
  server = await startDynamoDBLocal({ sharedDb: false, shortLived: true });
  process.env[SHARED_ENDPOINT_VARIABLE] = server.endpoint;
}

export async function globalTeardown(): Promise<void> {
  await server?.close();
}
