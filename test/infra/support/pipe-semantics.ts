/**
 * What EventBridge Pipes does with a stream record, for the parts our pipe uses, so the tests can
 * run the deployed filter pattern and input template on real DynamoDB stream records.
 *
 * Why our own code and not a library: no maintained EventBridge pattern matcher is on the npm
 * registry this project can use (AWS's own, aws/event-ruler, is Java on Maven; the npm ones are
 * a serverless-offline plugin that pulls in express, mqtt and aedes, or unmaintained). So this
 * implements only the documented rules our pattern needs, and **refuses everything else**: a
 * pattern that later gains `prefix`, `anything-but`, `exists`, … fails the test loudly instead
 * of being matched wrongly.
 *
 * Rules implemented (EventBridge "event patterns" and Pipes "input transformation" docs):
 *  - a pattern is a JSON object; every key must be present in the event; nested objects recurse;
 *  - a leaf is an array of allowed values: the event value (a string, number, boolean or null)
 *    must equal one of them; an event array matches if any element does;
 *  - `<$.a.b>` in the input template is the value at that path; inside quotes the value is
 *    inserted as JSON string content (escaped), outside quotes as JSON.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function matchesPattern(event: unknown, pattern: unknown): boolean {
  if (!isPlainObject(pattern)) throw new Error(`unsupported pattern (not an object): ${JSON.stringify(pattern)}`);
  if (!isPlainObject(event)) return false;
  for (const [key, rule] of Object.entries(pattern)) {
    if (!(key in event)) return false;
    const value = event[key];
    if (Array.isArray(rule)) {
      if (!matchesLeaf(value, rule)) return false;
    } else if (isPlainObject(rule)) {
      if (!matchesPattern(value, rule)) return false;
    } else {
      throw new Error(`unsupported pattern rule at "${key}": ${JSON.stringify(rule)}`);
    }
  }
  return true;
}

function matchesLeaf(value: unknown, allowed: readonly unknown[]): boolean {
  for (const a of allowed) {
    if (a !== null && typeof a === 'object') throw new Error(`unsupported content filter ${JSON.stringify(a)} (only exact values)`);
  }
  const candidates = Array.isArray(value) ? value : [value];
  return candidates.some((v) => (v === null || typeof v !== 'object') && allowed.some((a) => a === v));
}

const PLACEHOLDER = /(")?<\$((?:\.[A-Za-z0-9_-]+)+)>(")?/g;

/** Applies a Pipes input template (JSON-path placeholders only) to an event; returns the text. */
export function applyInputTemplate(template: string, event: unknown): string {
  return template.replace(PLACEHOLDER, (_whole, open: string | undefined, path: string, close: string | undefined) => {
    const value = valueAt(event, path.slice(1).split('.'));
    if (value === undefined) throw new Error(`the template path $${path} is missing in the record`);
    if (open && close) {
      if (typeof value !== 'string') throw new Error(`$${path} is quoted in the template but not a string in the record`);
      return JSON.stringify(value);
    }
    if (open || close) throw new Error(`unsupported placeholder inside a longer string: $${path}`);
    return JSON.stringify(value);
  });
}

function valueAt(root: unknown, keys: readonly string[]): Json | undefined {
  let node: unknown = root;
  for (const key of keys) {
    if (!isPlainObject(node) || !(key in node)) return undefined;
    node = node[key];
  }
  return node as Json;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
