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
import { loadBalancer } from '../load-balancer.js';
import { prepareSystem } from '../prepare-system.js';
import { scrubJoinSecrets } from '../scrub-join-secrets.js';
import { verify } from '../verify.js';
import { vipReady } from '../vip-ready.js';
import { INSTALL_COLUMNS } from './columns.js';

/** Every node runs these in order, in parallel with the other nodes, before the cluster steps. */
export const NODE_PIPELINE = [prepareSystem, containerRuntime, kubernetesPackages, loadBalancer];

/** After the per-node pipeline: the VIP, init, joins, add-ons, verification. */
export const CLUSTER_SEQUENCE = [
  vipReady,
  initControlPlane,
  joinCredentials,
  joinControlPlane,
  joinWorker,
  scrubJoinSecrets,
  cni,
  addons,
  certRenewal,
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
