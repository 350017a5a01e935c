// Upgrade the cluster to the answers' version, one minor at a time, the way the kubeadm upgrade
// guide prescribes: refuse what must not happen, take an etcd snapshot to the operator machine,
// then the control planes one at a time (kubeadm upgrade apply on the first, upgrade node on the
// others; drain, kubelet, uncordon), then the workers in batches of max-unavailable, then Calico.
import type { Step } from '../engine/step.js';
import type { Operation } from '../engine/operation.js';
import { cniUpgrade } from '../cni.js';
import { snapshotStep } from '../etcd-snapshot.js';
import { upgradeCheck } from '../upgrade-check.js';
import { UPGRADE_NODE_STEPS } from '../upgrade-node.js';
import { UPGRADE_COLUMNS } from './columns.js';

const only = (role: 'control-plane' | 'worker') =>
  UPGRADE_NODE_STEPS.map((s): Step => ({ ...s, appliesTo: (h) => h.role === role }));

const snapshot = snapshotStep(
  'upgrade-snapshot',
  'pre-upgrade',
  'etcd snapshot to this machine before anything changes',
);

/** Taken once per upgrade; not at all when every node already runs the target. */
export const upgradeSnapshot: Step = {
  ...snapshot,
  check: async (ctx) => ctx.svc.context().upgradeNothingToDo === true || snapshot.check(ctx),
};

/** `maxUnavailable`: how many workers are drained at once. */
export function upgradeOperation(maxUnavailable = 1): Operation {
  return {
    id: 'upgrade',
    title: 'Upgrade',
    columns: UPGRADE_COLUMNS,
    stages: [
      { kind: 'step', step: upgradeCheck },
      { kind: 'step', step: upgradeSnapshot },
      { kind: 'each', steps: only('control-plane'), concurrency: 1 },
      { kind: 'each', steps: only('worker'), concurrency: Math.max(1, maxUnavailable) },
      { kind: 'step', step: cniUpgrade },
    ],
    changes: true,
  };
}
