// Tear the cluster down: every host back as it was before the install (packages stay), then this
// machine forgets the cluster so the next apply starts with kubeadm init. With --node, one host only
// (the cluster keeps its Node and, for a control plane, kubeadm reset takes its etcd member out).
import type { Operation } from '../engine/operation.js';
import { forgetCluster } from '../forget-cluster.js';
import { resetHost } from '../reset-host.js';
import { RESET_COLUMNS } from './columns.js';

export function resetOperation(node?: string): Operation {
  const host = node ? { ...resetHost, appliesTo: (h: { name: string }) => h.name === node } : resetHost;
  return {
    id: 'reset',
    title: node ? `Reset ${node}` : 'Reset the cluster',
    columns: RESET_COLUMNS,
    stages: [
      { kind: 'each', steps: [host] },
      ...(node ? [] : [{ kind: 'step' as const, step: forgetCluster }]),
    ],
    changes: true,
    anyEndpoint: true,
  };
}
