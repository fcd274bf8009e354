/**
 * Checks shared by the construct and the context reader: a wrong value stops the synth with a
 * message naming the setting, never a CloudFormation failure minutes into a deploy.
 */

/** A wrong or missing configuration value (context or props), as opposed to a bug. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

export function requireHttpsUrl(name: string, value: string | undefined): string {
  const trimmed = value?.trim();
  if (!trimmed) throw new ConfigurationError(`${name} must be a non-empty https:// URL.`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new ConfigurationError(`${name} must be an absolute https:// URL, got "${trimmed}".`);
  }
  if (url.protocol !== 'https:') {
    throw new ConfigurationError(`${name} must use https:// (the function rejects plain http outside loopback), got "${trimmed}".`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigurationError(`${name} must not contain a query, fragment or credentials, got "${trimmed}".`);
  }
  return trimmed;
}

export function positiveNumber(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigurationError(`${name} must be a positive number, got ${value}.`);
  return value;
}

export function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new ConfigurationError(`${name} must be a positive integer, got ${value}.`);
  return value;
}

export function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new ConfigurationError(`${name} must be a whole number ≥ 0, got ${value}.`);
  return value;
}

/**
 * A stage name goes into the stack name, the API, bus, pipe and alarm names: CloudFormation allows
 * letters, digits and `-` in stack names, and a pipe name is at most 64 characters.
 */
export const STAGE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,19}$/;

export function stageName(value: string): string {
  if (!STAGE_PATTERN.test(value)) {
    throw new ConfigurationError(`stage must be 1 to 20 letters, digits or "-", starting with a letter or digit, got "${value}".`);
  }
  return value;
}

/** ACM certificate ARN: `arn:<partition>:acm:<region>:<account>:certificate/<uuid>`. */
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** SNS topic ARN: `arn:<partition>:sns:<region>:<account>:<name>` (1–256 of letters, digits, - and _, optional .fifo). */
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
/** EventBridge bus ARN: `arn:<partition>:events:<region>:<account>:event-bus/<name>`. */
const EVENT_BUS_ARN = /^arn:aws[a-z-]*:events:[a-z]{2}(-[a-z]+)+-\d:\d{12}:event-bus\/[A-Za-z0-9._\-/]{1,256}$/;

const arnCheck = (pattern: RegExp, example: string) => (name: string, value: string): string => {
  if (!pattern.test(value)) throw new ConfigurationError(`${name} must be an ARN like ${example}, got "${value}".`);
  return value;
};
export const requireCertificateArn = arnCheck(ACM_CERTIFICATE_ARN, 'arn:aws:acm:eu-central-1:123456789012:certificate/<uuid>');
export const requireTopicArn = arnCheck(SNS_TOPIC_ARN, 'arn:aws:sns:eu-central-1:123456789012:<topic>');
export const requireEventBusArn = arnCheck(EVENT_BUS_ARN, 'arn:aws:events:eu-central-1:123456789012:event-bus/<name>');

/**
 * A DNS host name as API Gateway takes it for a custom domain: labels of letters, digits and `-` (not at either
 * end), 1–63 each, at least two, 253 in all; a leading `*.` for a wildcard domain. No scheme, path or port.
 */
export function requireHostName(name: string, value: string): string {
  const host = value.trim().toLowerCase();
  const labels = (host.startsWith('*.') ? host.slice(2) : host).split('.');
  const valid =
    host.length <= 253 && labels.length >= 2 && labels.every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l)) && !/^\d+$/.test(labels.at(-1) ?? '');
  if (!valid) throw new ConfigurationError(`${name} must be a host name such as api.example.com (no scheme, path or port), got "${value}".`);
  return host;
}
