// Before joins: a bootstrap token and uploaded certificates that will not expire mid-join. On resume,
// or when they are older than ~90 min (certificates last 2 h, the token 2 h), mint a fresh token and
// upload the certificates again under a fresh certificate key. Both are generated here and passed in
// a temporary 0600 file, never on a command line (where `ps` would show them).
import { clusterControlPlane } from './cluster-host.js';
import { stringify } from 'yaml';
import { controlPlanes } from '../answers/model.js';
import { BOOTSTRAP_TOKEN_TTL } from '../render/kubeadm.js';
import { generateBootstrapToken, generateCertificateKey } from '../secrets/generate.js';
import type { Step } from './engine/step.js';
import type { StepContext } from './engine/context.js';

const FRESH_MS = 90 * 60_000;
const TOKEN_FILE = '/etc/kubernetes/k8sha-bootstrap-token.yaml';
const CERT_KEY_FILE = '/etc/kubernetes/k8sha-certificate-key.yaml';

function fresh(at: string | undefined, now = Date.now()): boolean {
  return !!at && now - Date.parse(at) < FRESH_MS;
}

/** Nodes still to join, from the facts gathered at the start of this run. */
function pendingJoins(ctx: StepContext): { controlPlanes: number; total: number } {
  const first = ctx.node.name;
  const pending = ctx.answers.hosts.filter((h) => h.name !== first && !ctx.svc.facts[h.name]?.joined);
  return { controlPlanes: pending.filter((h) => h.role === 'control-plane').length, total: pending.length };
}

export const joinCredentials: Step = {
  id: 'join-credentials',
  title: 'Fresh join token and certificates',
  phase: 'join',
  scope: 'cluster',
  appliesTo: (_h, a) => a.hosts.length > 1,
  runsOn: (a, svc) => clusterControlPlane(a, svc),
  retry: { tries: 3, delayMs: 5000 },
  skippable: false,
  async check(ctx) {
    const p = pendingJoins(ctx);
    if (p.total === 0) return true;
    if (ctx.svc.resumed) return false;
    const m = ctx.svc.marks();
    return fresh(m.tokenCreatedAt) && (p.controlPlanes === 0 || fresh(m.certsUploadedAt));
  },
  async apply(ctx) {
    const token = generateBootstrapToken();
    const doc = {
      apiVersion: 'kubeadm.k8s.io/v1beta4',
      kind: 'InitConfiguration',
      bootstrapTokens: [
        {
          token,
          ttl: BOOTSTRAP_TOKEN_TTL,
          description: 'k8sha-wizard: joins nodes during the install',
          usages: ['signing', 'authentication'],
          groups: ['system:bootstrappers:kubeadm:default-node-token'],
        },
      ],
    };
    ctx.svc.updateSecrets({ bootstrapToken: token });
    await ctx.timedUpload(ctx.node, TOKEN_FILE, stringify(doc), 0o600, `upload ${TOKEN_FILE} (secret)`);
    await ctx.run(
      `kubeadm token create --config ${TOKEN_FILE} >/dev/null; rc=$?; rm -f ${TOKEN_FILE}; exit $rc`,
      { label: 'kubeadm token create (new bootstrap token, TTL 2h)' },
    );
    ctx.svc.setMark('tokenCreatedAt');
    if (pendingJoins(ctx).controlPlanes > 0 && controlPlanes(ctx.answers).length > 1) {
      const certificateKey = generateCertificateKey();
      ctx.svc.updateSecrets({ certificateKey });
      const keyDoc = { apiVersion: 'kubeadm.k8s.io/v1beta4', kind: 'InitConfiguration', certificateKey };
      await ctx.timedUpload(
        ctx.node,
        CERT_KEY_FILE,
        stringify(keyDoc),
        0o600,
        `upload ${CERT_KEY_FILE} (secret)`,
      );
      await ctx.run(
        `kubeadm init phase upload-certs --upload-certs --config ${CERT_KEY_FILE} >/dev/null; rc=$?; rm -f ${CERT_KEY_FILE}; exit $rc`,
        { label: 'kubeadm init phase upload-certs --upload-certs (fresh certificate key)' },
      );
      ctx.svc.setMark('certsUploadedAt');
    }
  },
};
