/**
 * `npm run test:heavy` sets TEST_HEAVY=1: the property tests then run at their full size. `npm test` runs the
 * same properties on fewer cases, so the everyday loop stays near a minute; CI (.ci/run) runs both.
 */
export const HEAVY = process.env.TEST_HEAVY === '1';

/** Cases of a property test: `full` under `npm run test:heavy`, `quick` under `npm test`. */
export const cases = (full: number, quick: number): number => (HEAVY ? full : quick);
