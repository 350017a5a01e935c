import { defineConfig } from 'vitest/config';
import { LAB_LANE_FILES } from './test/lanes.mjs';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // The long drills run with `npm run drills`, not in `npm test`.
    // The day-2 lab scenario runs in a lane of its own in `npm test` (K8SHA_DAY2 there), or alone with
    // `npm run test:day2`; a plain `vitest run` leaves it out (about 8 minutes).
    exclude: [
      'node_modules/**',
      ...(process.env.K8SHA_DRILLS ? [] : ['test/drills/long/**']),
      ...(process.env.K8SHA_DAY2 ? [] : ['test/lab/day2.test.ts']),
      // npm test's unit lane: the lab lanes run these (scripts/test.mjs, test/lanes.mjs).
      ...(process.env.K8SHA_TEST_LANE === 'unit' ? LAB_LANE_FILES : []),
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Lab tests share one set of network namespaces; files run one at a time, except in the unit lane.
    fileParallelism: process.env.K8SHA_TEST_LANE === 'unit',
    reporters: ['default'],
  },
});
