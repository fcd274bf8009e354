import { App, Tags, Validations } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import nag from 'cdk-nag';
import type { Node } from 'constructs';
import { ConfigurationError, stageName } from './configuration.ts';
import { AUTHORIZATION_MODES, DEFAULT_NAME_PREFIX, TRACING_MODES } from './deactivate-action-api.ts';
import type { AuthorizationMode, TracingMode } from './deactivate-action-api.ts';
import { DeactivateActionStack } from './deactivate-action-stack.ts';
import type { DeactivateActionStackProps } from './deactivate-action-stack.ts';

/** Stack name without a stage; `-c stage=NAME` makes it `ZitadelDeactivateAction-NAME`. */
export const STACK_NAME = 'ZitadelDeactivateAction';

export function stackNameFor(stage: string | undefined): string {
  return stage === undefined ? STACK_NAME : `${STACK_NAME}-${stage}`;
}

export interface CreateAppOptions {
  /**
   * Run the cdk-nag AWS Solutions rules as a validation plugin (a violation fails `app.synth()`).
   * @default true; tests of the template switch it off and run nag on their own.
   */
  readonly nag?: boolean;
}

/**
 * Builds the CDK app: the stack configured from context, checked by the cdk-nag AWS Solutions
 * rules. cdk-nag 3 is a CDK policy-validation plugin: at synth, any violation that has not been
 * acknowledged (`Validations.of(construct).acknowledge`) fails the synth with a report.
 * Used by `infra/app.ts` and by the tests, so both exercise the same wiring.
 */
export function createApp(appProps?: AppProps, options: CreateAppOptions = {}): { app: App; stack: DeactivateActionStack } {
  const app = new App(appProps);
  const { stage, ...props } = propsFromContext(app.node);
  const stack = new DeactivateActionStack(app, stackNameFor(stage), {
    description: `ZITADEL-compatible DeactivateAction endpoint (HTTP API, Lambda, DynamoDB)${stage === undefined ? '' : `, stage ${stage}`}`,
    ...props,
  });
  Tags.of(stack).add('service', 'zitadel-deactivate-action');
  if (stage !== undefined) Tags.of(stack).add('stage', stage);
  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new nag.AwsSolutionsChecks(app, { verbose: true }), new nag.ServerlessChecks(app, { verbose: true }));
  }
  return { app, stack };
}

/** Stack properties that come from CDK context (`-c key=value` or cdk.json "context"). */
export type ContextProps = Omit<DeactivateActionStackProps, keyof import('aws-cdk-lib').StackProps> & { stage?: string };

/** Every context key the app reads (`-c key=value` or cdk.json "context"). */
export const CONTEXT_KEYS = [
  'zitadelIssuer',
  'zitadelAudience',
  'zitadelJwksUri',
  'zitadelApiUrl',
  'zitadelProjectId',
  'authorizationMode',
  'authzCacheSeconds',
  'stage',
  'domainName',
  'certificateArn',
  'alarmEmail',
  'alarmTopicArn',
  'eventBusArn',
  'changeEvents',
  'throttlingRateLimit',
  'throttlingBurstLimit',
  'reservedConcurrency',
  'dashboard',
  'tracing',
  'metricsNamespace',
  'corsAllowOrigins',
  'defaultLanguage',
] as const;

/**
 * The app's own keys are plain words (`zitadelIssuer`); keys with `@`, `:`, `-` or `/` belong to the CDK (feature
 * flags `@aws-cdk/…`, `aws:cdk:…`) or to its lookup cache (`availability-zones:…`, `acknowledged-issue-numbers`).
 */
const OWN_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Refuses a key of the app's own kind it does not know (`-c stag=prod` would otherwise deploy the default stack). */
export function refuseUnknownContextKeys(node: Node): void {
  const known: readonly string[] = CONTEXT_KEYS;
  const context: Record<string, unknown> = node.getAllContext() as Record<string, unknown>;
  const unknown = Object.keys(context).filter((key) => OWN_KEY.test(key) && !known.includes(key));
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `Unknown CDK context ${unknown.map((k) => `"${k}"`).join(', ')}; known keys: ${CONTEXT_KEYS.join(', ')}.`,
    );
  }
}

/**
 * Reads the stack configuration from CDK context. Throws one error naming every missing
 * required value together with the `-c` flag that supplies it.
 */
export function propsFromContext(node: Node): ContextProps {
  refuseUnknownContextKeys(node);
  const mode = optionalString(node, 'authorizationMode') ?? 'zitadel';
  if (!(AUTHORIZATION_MODES as readonly string[]).includes(mode)) {
    throw new ConfigurationError(`CDK context "authorizationMode" must be "zitadel" or "claims", got "${mode}".`);
  }
  const required = [
    { key: 'zitadelIssuer', example: 'https://<your-instance>.zitadel.cloud' },
    ...(mode === 'claims' ? [{ key: 'zitadelAudience', example: '<ZITADEL project id>' }] : []),
  ];
  const missing = required.filter(({ key }) => optionalString(node, key) === undefined);
  if (missing.length > 0) {
    const flags = required.map(({ key, example }) => `-c ${key}=${example}`).join(' ');
    throw new ConfigurationError(
      `Missing required CDK context ${missing.map(({ key }) => `"${key}"`).join(' and ')}. ` +
        `Pass ${missing.map(({ key, example }) => `-c ${key}=${example}`).join(' ')} on the command line, ` +
        `e.g. npx cdk deploy ${flags} (or put the values under "context" in cdk.json).`,
    );
  }
  const props: { -readonly [K in keyof ContextProps]: ContextProps[K] } = {
    zitadelIssuer: optionalString(node, 'zitadelIssuer') as string,
    authorizationMode: mode as AuthorizationMode,
  };
  const strings = [
    'zitadelAudience',
    'zitadelJwksUri',
    'zitadelApiUrl',
    'zitadelProjectId',
    'domainName',
    'certificateArn',
    'alarmEmail',
    'alarmTopicArn',
    'eventBusArn',
    'metricsNamespace',
    'defaultLanguage',
  ] as const;
  for (const key of strings) {
    const value = optionalString(node, key);
    if (value !== undefined) props[key] = value;
  }
  const numbers = ['throttlingRateLimit', 'throttlingBurstLimit', 'reservedConcurrency'] as const;
  for (const key of numbers) {
    const value = optionalNumber(node, key);
    if (value !== undefined) props[key] = value;
  }
  const cache = optionalString(node, 'authzCacheSeconds');
  if (cache !== undefined) {
    if (!/^\d+$/.test(cache)) throw new ConfigurationError(`CDK context "authzCacheSeconds" must be a whole number of seconds, got "${cache}".`);
    props.authzCacheSeconds = Number(cache);
  }
  const corsOrigins = optionalString(node, 'corsAllowOrigins');
  if (corsOrigins !== undefined) props.corsAllowOrigins = corsOrigins.split(',').map((o) => o.trim()).filter((o) => o !== '');
  const events = optionalString(node, 'changeEvents');
  if (events !== undefined) {
    if (events !== 'true' && events !== 'false') throw new ConfigurationError(`CDK context "changeEvents" must be true or false, got "${events}".`);
    props.changeEvents = events === 'true';
  }
  const dashboard = optionalString(node, 'dashboard');
  if (dashboard !== undefined) {
    if (dashboard !== 'true' && dashboard !== 'false') throw new ConfigurationError(`CDK context "dashboard" must be true or false, got "${dashboard}".`);
    props.dashboard = dashboard === 'true';
  }
  const tracing = optionalString(node, 'tracing');
  if (tracing !== undefined) {
    if (!(TRACING_MODES as readonly string[]).includes(tracing)) {
      throw new ConfigurationError(`CDK context "tracing" must be "active" or "disabled", got "${tracing}".`);
    }
    props.tracing = tracing as TracingMode;
  }
  const stage = optionalString(node, 'stage');
  if (stage !== undefined) {
    props.stage = stageName(stage);
    props.namePrefix = `${DEFAULT_NAME_PREFIX}-${stage}`;
  }
  return props;
}

function optionalString(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null) return undefined;
  // `-c changeEvents=false` arrives as a string; cdk.json may hold a JSON boolean.
  if (typeof value === 'boolean') return String(value);
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
