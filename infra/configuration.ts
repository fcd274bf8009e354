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
