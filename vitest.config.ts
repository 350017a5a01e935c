import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // The long drills run with `npm run drills`, not in `npm test`.
    exclude: process.env.K8SHA_DRILLS ? [] : ['test/drills/long/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Lab tests share one set of network namespaces; files run one at a time.
    fileParallelism: false,
    reporters: ['default'],
  },
});
