import { App, Tags, Validations } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import nag from 'cdk-nag';
import type { Node } from 'constructs';
import { ConfigurationError, DeactivateActionStack } from './deactivate-action-stack.ts';
import type { DeactivateActionStackProps } from './deactivate-action-stack.ts';

export const STACK_NAME = 'ZitadelDeactivateAction';

/**
 * Builds the CDK app: the stack configured from context, checked by the cdk-nag AWS Solutions
 * rules. cdk-nag 3 is a CDK policy-validation plugin: at synth, any violation that has not been
 * acknowledged (`Validations.of(construct).acknowledge`) fails the synth with a report.
 * Used by `infra/app.ts` and by the tests, so both exercise the same wiring.
 */
export function createApp(appProps?: AppProps): { app: App; stack: DeactivateActionStack } {
  const app = new App(appProps);
  const stack = new DeactivateActionStack(app, STACK_NAME, {
    description: 'ZITADEL-compatible DeactivateAction endpoint (HTTP API, Lambda, DynamoDB)',
    ...propsFromContext(app.node),
  });
  Tags.of(stack).add('service', 'zitadel-deactivate-action');
  Validations.of(app).addPlugins(new nag.AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

/** Stack properties that come from CDK context (`-c key=value` or cdk.json "context"). */
export type ContextProps = Pick<
  DeactivateActionStackProps,
  'zitadelIssuer' | 'zitadelAudience' | 'zitadelJwksUri' | 'throttlingRateLimit' | 'throttlingBurstLimit'
>;

const REQUIRED = [
  { key: 'zitadelIssuer', example: 'https://<your-instance>.zitadel.cloud' },
  { key: 'zitadelAudience', example: '<ZITADEL project id>' },
] as const;

/**
 * Reads the stack configuration from CDK context. Throws one error naming every missing
 * required value together with the `-c` flag that supplies it.
 */
export function propsFromContext(node: Node): ContextProps {
  const missing = REQUIRED.filter(({ key }) => optionalString(node, key) === undefined);
  if (missing.length > 0) {
    const flags = REQUIRED.map(({ key, example }) => `-c ${key}=${example}`).join(' ');
    throw new ConfigurationError(
      `Missing required CDK context ${missing.map(({ key }) => `"${key}"`).join(' and ')}. ` +
        `Pass ${missing.map(({ key, example }) => `-c ${key}=${example}`).join(' ')} on the command line, ` +
        `e.g. npx cdk deploy ${flags} (or put the values under "context" in cdk.json).`,
    );
  }
  const props: {
    -readonly [K in keyof ContextProps]: ContextProps[K];
  } = {
    zitadelIssuer: optionalString(node, 'zitadelIssuer') as string,
    zitadelAudience: optionalString(node, 'zitadelAudience') as string,
  };
  const jwksUri = optionalString(node, 'zitadelJwksUri');
  if (jwksUri !== undefined) props.zitadelJwksUri = jwksUri;
  const rate = optionalNumber(node, 'throttlingRateLimit');
  if (rate !== undefined) props.throttlingRateLimit = rate;
  const burst = optionalNumber(node, 'throttlingBurstLimit');
  if (burst !== undefined) props.throttlingBurstLimit = burst;
  return props;
}

function optionalString(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    // A JSON number in cdk.json would silently lose digits of a ZITADEL id (> 2^53).
    throw new ConfigurationError(`CDK context "${key}" must be a string (quote it in cdk.json), got ${JSON.stringify(value)}.`);
  }
  const text = value.trim();
  return text === '' ? undefined : text;
}

function optionalNumber(node: Node, key: string): number | undefined {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN;
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(`CDK context "${key}" must be a positive number, got ${JSON.stringify(raw)} (e.g. -c ${key}=50).`);
  }
  return value;
}
