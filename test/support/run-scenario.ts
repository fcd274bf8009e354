/**
 * Runs the production Lambda entry (test/fixtures/log-scenario.ts) in a child process, as Lambda would,
 * and splits what it wrote: the application's log lines and the embedded-metric-format lines (`_aws`).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** One CloudWatch embedded-metric-format record as Powertools Metrics writes it. */
export interface EmfRecord {
  _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

export async function runScenario(calls: unknown[], env: Record<string, string>) {
  const statusFile = join(await mkdtemp(join(tmpdir(), 'log-scenario-')), 'statuses.json');
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['test/fixtures/log-scenario.ts', JSON.stringify(calls), statusFile], {
    // AWS_LAMBDA_INITIALIZATION_TYPE as Lambda sets it for an on-demand environment (Powertools counts ColdStart only then).
    env: { PATH: process.env.PATH, AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand', AWS_REGION: 'eu-central-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', ...env },
  });
  // Lambda sends both streams to CloudWatch: both are checked.
  const all = `${stdout}\n${stderr}`.split('\n').filter((l) => l !== '');
  const isMetric = (line: string) => line.startsWith('{"_aws":');
  return {
    lines: all.filter((l) => !isMetric(l)),
    metrics: all.filter(isMetric).map((l) => JSON.parse(l) as EmfRecord),
    statuses: JSON.parse(await readFile(statusFile, 'utf8')) as number[],
  };
}
