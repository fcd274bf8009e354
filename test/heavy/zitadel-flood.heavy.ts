/**
 * zitadel mode, a flood of distinct junk opaque tokens (moved from zitadel-mode.test.ts as it was, for its size:
 * `npm run test:heavy`, run by CI beside `npm test`). Each token is asked about at the dev ZITADEL over HTTP, so
 * the flood is 10,000 real round trips; the heap measure needs the 2,000-entry decision cache full and then
 * thousands more tokens to tell a bound from a leak (5.7 MiB growth per 5,000 with the bound lifted).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { call } from '../support/api.ts';
import { putAction } from '../support/dynamodb.ts';
import { startZitadelWorld, type ZitadelWorld } from '../support/zitadel-world.ts';

const ORG_A = '310000000000000001';

let world: ZitadelWorld;
before(async () => {
  world = await startZitadelWorld();
  world.zitadel.addOrganization(ORG_A, 'a');
});
after(() => world.close());

describe('a flood of distinct junk opaque tokens', () => {
  test('10,000 tokens: each 401, and the heap after GC stops growing once the decision cache is full', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const id = '330000000000009999';
    await putAction(world.dynamo.client, { resourceOwner: ORG_A, id, sequence: 1 });
    let next = 0;
    const flood = async (count: number) => {
      const end = next + count;
      const worker = async () => {
        while (next < end) {
          const token = `junk-${String(next++).padStart(8, '0')}-${'x'.repeat(48)}`;
          const res = await call(world.handler, id, { token });
          assert.equal(res.status, 401);
        }
      };
      await Promise.all(Array.from({ length: 20 }, worker));
    };
    await flood(5_000); // fills the 2,000 decisions and warms everything up
    gc();
    const heapHalfway = process.memoryUsage().heapUsed;
    await flood(5_000);
    gc();
    const grownMiB = (process.memoryUsage().heapUsed - heapHalfway) / 2 ** 20;
    assert.ok(grownMiB < 4, `heap grew by ${grownMiB.toFixed(1)} MiB over the second 5,000 tokens`);
  });
});
