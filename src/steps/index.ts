// The procedure, in order: the seed's sections made correct for 2026.
import { addons } from './addons.js';
import { certRenewal } from './cert-renewal.js';
import { cni } from './cni.js';
import { containerRuntime } from './container-runtime.js';
import type { Step } from './engine/step.js';
import { failoverDrill } from './failover-drill.js';
import { fetchKubeconfig } from './fetch-kubeconfig.js';
import { initControlPlane } from './init-control-plane.js';
import { joinControlPlane } from './join-control-plane.js';
import { joinCredentials } from './join-credentials.js';
import { joinWorker } from './join-worker.js';
import { kubernetesPackages } from './kubernetes-packages.js';
import { loadBalancer } from './load-balancer.js';
import { prepareSystem } from './prepare-system.js';
import { scrubJoinSecrets } from './scrub-join-secrets.js';
import { verify } from './verify.js';
import { vipReady } from './vip-ready.js';

/** Per-node steps every node runs in order, in parallel with other nodes, before the barriers. */
export const NODE_PIPELINE: Step[] = [prepareSystem, containerRuntime, kubernetesPackages, loadBalancer];

/** After the per-node pipeline: barriers, init, joins, add-ons, verification. */
export const CLUSTER_SEQUENCE: Step[] = [
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

export const ALL_STEPS: Step[] = [...NODE_PIPELINE, ...CLUSTER_SEQUENCE];
