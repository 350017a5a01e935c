import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // The long drills run with `npm run drills`, not in `npm test`.
    // The day-2 lab scenario (about 8 minutes) runs with `npm run test:day2`, not in `npm test`: it
    // passes on this machine but failed twice in clean-clone runs, cause not found yet (see docs/lab.md).
    exclude: [
      'node_modules/**',
      ...(process.env.K8SHA_DRILLS ? [] : ['test/drills/long/**']),
      ...(process.env.K8SHA_DAY2 ? [] : ['test/lab/day2.test.ts']),
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Lab tests share one set of network namespaces; files run one at a time.
    fileParallelism: false,
    reporters: ['default'],
  },
});
