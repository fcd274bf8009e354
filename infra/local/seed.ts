import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { newZitadelId, putNewAction, tableIsEmpty, type ActionRecord } from './action-records.ts';

/** The demo organisation a fresh local table is seeded with. */
export const DEMO_ORG_ID = '300000000000000100';

/** ZITADEL actions are named after the function their script defines. */
const DEMO_ACTIONS = [
  {
    name: 'addGroupsClaim',
    script:
      "function addGroupsClaim(ctx, api) {\n  const groups = (ctx.v1.user.grants?.grants ?? []).map((g) => g.projectId + ':' + g.roles.join(','));\n  api.v1.claims.setClaim('groups', groups);\n}",
    timeout: '10s',
    allowedToFail: true,
  },
  {
    name: 'setDefaultMetadata',
    script:
      "function setDefaultMetadata(ctx, api) {\n  api.v1.user.appendMetadata('onboarding', 'pending');\n}",
    timeout: '5s',
    allowedToFail: false,
  },
  {
    name: 'denyUnverifiedEmail',
    script:
      "function denyUnverifiedEmail(ctx, api) {\n  if (!ctx.v1.user.human?.isEmailVerified) {\n    throw 'email not verified';\n  }\n}",
    timeout: '2s',
    allowedToFail: false,
  },
] as const;

/**
 * Seeds the demo organisation with a few ACTIVE actions, only into an empty table (a restart
 * never reseeds). Returns the seeded actions, or `undefined` when the table already had data.
 */
export async function seedIfEmpty(
  client: DynamoDBClient,
  table: string,
  now = new Date(),
): Promise<ActionRecord[] | undefined> {
  if (!(await tableIsEmpty(client, table))) return undefined;
  const actions = DEMO_ACTIONS.map((demo, i): ActionRecord => {
    // Created a few days ago, one after the other; each edited once since (sequence 2).
    const created = new Date(now.getTime() - (3 - i) * 86_400_000);
    const changed = new Date(created.getTime() + 3_600_000);
    return {
      resourceOwner: DEMO_ORG_ID,
      id: newZitadelId(created.getTime()),
      ...demo,
      state: 'ACTIVE',
      sequence: 2,
      creationDate: created.toISOString(),
      changeDate: changed.toISOString(),
    };
  });
  for (const action of actions) await putNewAction(client, table, action);
  return actions;
}
