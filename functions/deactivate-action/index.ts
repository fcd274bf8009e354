/**
 * Lambda entry point (`handler`). Configuration is read and checked here, once per cold start;
 * a misconfigured function fails at init with a message naming what is missing. Init also primes
 * the handler (key set, connections; bounded, never failing), so the first request is a warm one.
 */
import { loadConfig } from './config.ts';
import { createHandler } from './handler.ts';

export const handler = createHandler({ config: loadConfig(process.env) });
await handler.prime();
