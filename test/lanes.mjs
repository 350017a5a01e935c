// The lab lanes of `npm test` (scripts/test.mjs): each lane is a lab of its own and runs its files one
// at a time; the lanes run side by side. Two lanes: an installed lab keeps about a third of this 2-CPU
// machine busy (health checks, etcd, the simulated kubelets), and five lanes at once starved the
// health checks until keepalived dropped the VIP. Balanced by the files' durations measured alone
// (seconds). Every other test file runs in the unit lane.
export const LAB_LANES = [
  {
    prefix: 'k8lab',
    files: [
      'test/lab/sabotage-1.test.ts', // ~340
      'test/lab/upgrade-backup.test.ts', // ~170
      'test/lab/install-seed.test.ts', // 74
      'test/lab/wizard-e2e.test.ts', // 73
      'test/lab/install-faults.test.ts', // 63
      'test/lab/failover.test.ts', // 25
      'test/lab/lifecycle.test.ts', // 15
      'test/drills/hostile-input.test.ts', // 13
    ],
  },
  {
    prefix: 'k8lab1',
    files: [
      'test/lab/sabotage-2.test.ts', // ~370
      'test/lab/install-variations.test.ts', // ~120
      'test/lab/install-resume.test.ts', // ~100
      'test/drills/secrets-and-quoting.test.ts', // 83
      'test/drills/control-plane-loss.test.ts', // 59
      'test/lab/sim-kubeadm.test.ts', // 47
      'test/lab/sim-node.test.ts', // 4
    ],
  },
];

/** The unit lane's prefix: a lab test that no lane lists still gets a lab of its own there. */
export const UNIT_LANE_PREFIX = 'k8lab9';

export const LAB_LANE_FILES = LAB_LANES.flatMap((l) => l.files);
