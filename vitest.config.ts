import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Tests that bring up the lab (network namespaces with sshd, haproxy, keepalived, etcd and the
// simulated node OS): one file at a time.
const LAB = ['test/lab/**/*.test.ts', 'test/drills/**/*.test.ts'];

const excluded = [
  'node_modules/**',
  // The long drills run with `npm run drills`, not in `npm test`.
  ...(process.env.K8SHA_DRILLS ? [] : ['test/drills/long/**']),
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    // `npm test` runs the unit project, then the lab project (vitest run --project …).
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: [...excluded, ...LAB],
          // Files side by side: each uses its own temporary directories and private namespaces.
          fileParallelism: true,
          // Every CPU (vitest's default leaves one idle; these files mostly wait on child processes).
          maxWorkers: availableParallelism(),
        },
      },
      {
        extends: true,
        test: {
          name: 'lab',
          include: LAB,
          exclude: excluded,
          // Lab tests share one set of network namespaces; files run one at a time. (Two labs side by
          // side were tried: an install keeps two thirds of a 2-CPU machine busy, so lanes only slowed
          // each other down, and five at once starved keepalived's checks until the VIP dropped;
          // docs/lab.md.)
          fileParallelism: false,
        },
      },
    ],
  },
});
