// The install: the seed's sections, made correct for 2026, as one operation over the engine.
import type { Operation } from '../engine/operation.js';
import { addons } from '../addons.js';
import { certRenewal } from '../cert-renewal.js';
import { cni } from '../cni.js';
import { containerRuntime } from '../container-runtime.js';
import { failoverDrill } from '../failover-drill.js';
import { fetchKubeconfig } from '../fetch-kubeconfig.js';
import { initControlPlane } from '../init-control-plane.js';
import { joinControlPlane } from '../join-control-plane.js';
import { joinCredentials } from '../join-credentials.js';
import { joinWorker } from '../join-worker.js';
import { kubernetesPackages } from '../kubernetes-packages.js';
import { loadBalancer, loadBalancerUpdate } from '../load-balancer.js';
import { kubeVip } from '../kube-vip.js';
import { prepareSystem } from '../prepare-system.js';
import { scrubJoinSecrets } from '../scrub-join-secrets.js';
import { verify } from '../verify.js';
import { loadBalancerConsistent, vipReady } from '../vip-ready.js';
import { etcdBackupTimer } from '../etcd-backup-timer.js';
import { INSTALL_COLUMNS } from './columns.js';

/** Every node runs these in order, in parallel with the other nodes, before the cluster steps. */
export const NODE_PIPELINE = [prepareSystem, containerRuntime, kubernetesPackages, loadBalancer];

/**
 * After the per-node pipeline: the VIP, init, joins, add-ons, verification. On a running cluster the
 * same list adds the hosts that are new in the answers: their joins, then the load balancers.
 */
export const CLUSTER_SEQUENCE = [
  vipReady,
  initControlPlane,
  joinCredentials,
  joinControlPlane,
  // Control planes added or removed: every haproxy and keepalived learns, one at a time.
  loadBalancerUpdate,
  // kube-vip mode: the joined control planes start kube-vip (it has no peer list to update).
  kubeVip,
  loadBalancerConsistent,
  joinWorker,
  scrubJoinSecrets,
  cni,
  addons,
  certRenewal,
  etcdBackupTimer,
  verify,
  failoverDrill,
  fetchKubeconfig,
];

export const install: Operation = {
  id: 'install',
  title: 'Install',
  columns: INSTALL_COLUMNS,
  stages: [
    { kind: 'each', steps: NODE_PIPELINE },
    ...CLUSTER_SEQUENCE.map((step) => ({ kind: 'step' as const, step })),
  ],
  changes: true,
  writesKubeconfig: true,
};
