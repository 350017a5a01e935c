// Step 6: `kubeadm init` on the first control plane, after `kubeadm config validate`, with the
// pre-created CA so every join can pin its hash. It must never run twice: once the journal says it
// completed, a failing health check is reported, not "fixed" by a second init.
import { clusterControlPlane } from './cluster-host.js';
import { caCertHash } from '../secrets/ca-hash.js';
import { APISERVER_BIND_PORT, KUBEADM_CONFIG_PATH, LOCAL_APISERVER_HEALTHZ } from '../render/kubeadm.js';
import { quote } from './transport/shell.js';
import type { Step } from './engine/step.js';
import type { StepContext } from './engine/context.js';
import { StepError } from './engine/failure.js';
import { hasLeftovers, installRootKubeconfig, kubeadmReset } from './kubeadm-reset.js';
import { comparePauseImage } from './pause-image.js';
import { loadBalancerCause } from './diagnose.js';
import { waitForKubeVip, writeBootstrapKubeVip, writeKubeVip } from './kube-vip.js';
import { usesKubeVip } from '../answers/model.js';

export const LOCAL_APISERVER_HEALTHY = `curl -sfk --max-time 5 ${LOCAL_APISERVER_HEALTHZ} >/dev/null`;

/**
 * kubeadm init ran to its end here: its last phase installed kube-proxy. An init cut short (kill -9,
 * a lost link) leaves admin.conf and a healthy apiserver behind, but no RBAC for admin.conf, no
 * cluster-info and no add-ons; that is not a cluster to build on. Asked of this node's own apiserver
 * (super-admin.conf where init ran), so a VIP that is down does not make a complete init look undone.
 * Once a run has seen init end (the journal's mark), a healthy apiserver is enough: the question of
 * a cut-short init is settled, and a rerun saves a kubectl.
 */
async function initialized(ctx: StepContext): Promise<boolean> {
  if (ctx.svc.marks().initCompletedAt)
    return (await ctx.probe(`test -f /etc/kubernetes/admin.conf && ${LOCAL_APISERVER_HEALTHY}`)).code === 0;
  const kubeconfig = 'K=/etc/kubernetes/super-admin.conf; [ -f "$K" ] || K=/etc/kubernetes/admin.conf';
  return (
    (
      await ctx.probe(
        `test -f /etc/kubernetes/admin.conf && ${LOCAL_APISERVER_HEALTHY} && ${kubeconfig} && kubectl --kubeconfig "$K" --server ${quote(`https://${ctx.node.address}:${APISERVER_BIND_PORT}`)} --request-timeout=5s -n kube-system get daemonset kube-proxy >/dev/null 2>&1`,
      )
    ).code === 0
  );
}

/** Use our CA unless the node already has one (e.g. pre-created by hand): then pin that one. */
async function ensureCa(ctx: StepContext): Promise<void> {
  const present =
    (await ctx.probe('test -f /etc/kubernetes/pki/ca.crt && test -f /etc/kubernetes/pki/ca.key')).code === 0;
  if (present) {
    const pem = (await ctx.probe('cat /etc/kubernetes/pki/ca.crt')).stdout;
    const hash = caCertHash(pem);
    if (hash !== ctx.svc.secrets().caCertHash) {
      ctx.notice(`${ctx.node.name} already has a cluster CA (${hash.slice(0, 19)}…); joins will pin it`);
      ctx.svc.updateSecrets({ caCertPem: pem, caCertHash: hash });
    }
    return;
  }
  if (!ctx.svc.secrets().caKeyPem) {
    // The key was dropped after an earlier init (the cluster was since reset and restarted): make a new CA.
    const { createClusterCa } = await import('../secrets/ca.js');
    const ca = await createClusterCa();
    ctx.svc.updateSecrets({ caCertPem: ca.certPem, caKeyPem: ca.keyPem, caCertHash: ca.hash });
    ctx.notice(`a new cluster CA was created (${ca.hash.slice(0, 19)}…); joins will pin it`);
  }
  for (const f of ctx.files().filter((x) => x.path.startsWith('/etc/kubernetes/pki/')))
    await ctx.ensureFile(f);
}

/** The CA key now lives on the control plane; the operator machine keeps only the certificate and hash. */
export function dropOperatorCaKey(ctx: StepContext): void {
  if (!ctx.svc.secrets().caKeyPem) return;
  ctx.svc.updateSecrets({ caKeyPem: undefined });
  ctx.notice(
    'the cluster CA private key was removed from this machine: it is on the control planes now (k8sha-wizard backup saves it with the cluster PKI)',
  );
}

export const initControlPlane: Step = {
  id: 'kubeadm-init',
  title: 'kubeadm init on the first control plane',
  phase: 'init',
  scope: 'cluster',
  appliesTo: () => true,
  runsOn: (a, svc) => clusterControlPlane(a, svc),
  retry: { tries: 2, delayMs: 10_000 },
  skippable: false,
  check: initialized,
  // A retry starts from a clean node, but never wipes a cluster that init already made.
  async reset(ctx) {
    if (!ctx.svc.marks().initCompletedAt) await kubeadmReset(ctx);
  },
  async apply(ctx) {
    const marks = ctx.svc.marks();
    if (marks.initCompletedAt) {
      throw new StepError(
        `kubeadm init already completed on ${ctx.node.name} at ${marks.initCompletedAt}, but /etc/kubernetes/admin.conf is gone or its apiserver does not answer now`,
        `look at ${ctx.node.name} (systemctl status kubelet; crictl ps), then run apply again; k8sha-wizard never runs init twice on a cluster. To start over, reset every node and use --restart`,
      );
    }
    if (await hasLeftovers(ctx)) await kubeadmReset(ctx);
    await ensureCa(ctx);
    await ctx.ensureFile(ctx.file(KUBEADM_CONFIG_PATH));
    await ctx.run(`kubeadm config validate --config ${KUBEADM_CONFIG_PATH}`);
    await comparePauseImage(ctx);
    // kube-vip mode: the VIP must come up during init (kubeadm talks to the API through it).
    await writeBootstrapKubeVip(ctx);
    await ctx.run(`kubeadm init --config ${KUBEADM_CONFIG_PATH} --upload-certs`, { timeoutMs: 20 * 60_000 });
    const now = new Date();
    ctx.svc.setMark('initCompletedAt', now);
    // This node is the cluster's first member: its control-plane join is done.
    ctx.svc.setContext('initializedOn', ctx.node.name);
    ctx.svc.setMark('certsUploadedAt', now);
    if (!marks.tokenCreatedAt) ctx.svc.setMark('tokenCreatedAt', now);
    dropOperatorCaKey(ctx);
    if (usesKubeVip(ctx.answers)) {
      // admin.conf works now (init made its ClusterRoleBinding): kube-vip gives up super-admin.conf.
      await writeKubeVip(ctx);
      await waitForKubeVip(ctx, 30, 'after kube-vip switched from super-admin.conf to admin.conf');
    }
    await installRootKubeconfig(ctx);
  },
  async diagnose(ctx) {
    // kubeadm init writes its configuration through controlPlaneEndpoint: the load balancer must work.
    return loadBalancerCause(ctx, ctx.node);
  },
};
