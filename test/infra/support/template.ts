/** What the stack tests share: cdk.json's context, bundling left out, and lookups in a synthesized template. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { projectRoot } from '../../../infra/function-bundle.ts';

export const CDK_JSON = JSON.parse(readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')) as { app: string; context: Record<string, unknown> };
/** No esbuild run in the tests' synths (the bundle is tested on its own). */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

export type Resource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[]; [key: string]: unknown };

export function resources(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type) as Record<string, Resource>);
}

/** The single resource of a type, with its logical id. */
export function only(template: Template, type: string): [string, Resource] {
  const found = resources(template, type);
  assert.equal(found.length, 1, `expected exactly one ${type}, found ${found.length}`);
  return found[0]!;
}
