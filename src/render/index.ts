// Render every file of the cluster: pure (answers + catalog + secrets + optional host facts -> files).
import { controlPlanes, initNode, vrrpInterface } from '../answers/model.js';
import type { Answers, Host } from '../answers/schema.js';
import { renderCalicoInstall } from './calico.js';
import { renderCertRenewal } from './cert-renewal.js';
import { renderEtcdBackup } from './etcd-backup.js';
import { renderContainerdConfig } from './containerd.js';
import { renderDashboardInstall } from './dashboard.js';
import { renderHaproxy } from './haproxy.js';
import { renderCheckScript, renderKeepalived } from './keepalived.js';
import { renderKubeVip } from './kube-vip.js';
import { renderKubeadmConfig } from './kubeadm.js';
import { renderCrictl, renderHostsBlock, renderModulesLoad, renderSysctl } from './node-basics.js';
import { renderClusterCa } from './pki.js';
import { debTarget, renderRepoFiles } from './repos.js';
import type { RenderedFile, RenderInput, RenderResult } from './types.js';

export function renderNode(input: RenderInput, h: Host): RenderedFile[] {
  const { answers: a, catalog, secrets, facts } = input;
  const f = facts?.[h.name];
  const files: RenderedFile[] = [
    renderHostsBlock(a),
    renderSysctl(),
    renderModulesLoad(a),
    renderContainerdConfig(a, catalog),
    renderCrictl(),
    ...renderRepoFiles(a, catalog, f),
  ];
  if (h.name === initNode(a).name) files.push(...renderClusterCa(secrets));
  files.push(renderKubeadmConfig(a, catalog, secrets, h));
  if (h.role === 'control-plane' && a.loadBalancer?.mode === 'kube-vip')
    files.push(renderKubeVip(a, catalog, h, f));
  else if (h.role === 'control-plane' && a.loadBalancer) {
    files.push(renderHaproxy(a, secrets), renderKeepalived(a, secrets, h, f), renderCheckScript(a));
  }
  files.push(...renderCertRenewal(a, h));
  files.push(...renderEtcdBackup(a, h));
  return files;
}

export function renderCluster(input: RenderInput): RenderResult {
  const a = input.answers;
  const nodes: Record<string, RenderedFile[]> = {};
  for (const h of a.hosts) nodes[h.name] = renderNode(input, h);
  const cluster = [renderCalicoInstall(a, input.catalog), renderDashboardInstall(a, input.catalog)].filter(
    (f): f is RenderedFile => f !== undefined,
  );
  return { nodes, cluster, notes: renderNotes(input) };
}

function renderNotes(input: RenderInput): string[] {
  const a: Answers = input.answers;
  const notes: string[] = [];
  if (a.loadBalancer) {
    const guessed = controlPlanes(a).filter((h) => vrrpInterface(a, h, input.facts?.[h.name]).guessed);
    if (guessed.length > 0) {
      notes.push(
        `no interface given or detected for ${guessed.map((h) => h.name).join(', ')}: ${a.loadBalancer.mode === 'kube-vip' ? 'kube-vip.yaml' : 'keepalived.conf'} uses eth0. ` +
          "The install detects the interface that carries each host's address; set loadBalancer.interface to fix it here.",
      );
    }
  }
  if (a.loadBalancer?.mode === 'kube-vip') {
    notes.push(
      `kube-vip: on ${initNode(a).name} the manifest first mounts super-admin.conf, because admin.conf has no rights until kubeadm init has made its RBAC binding (Kubernetes 1.29+); the install switches it to admin.conf right after init. The other control planes get it once they have joined.`,
    );
  }
  const unknownOs = a.hosts.filter((h) => !input.facts?.[h.name]?.osFamily);
  if (unknownOs.length > 0) {
    notes.push(
      'OS family unknown without host facts: both yum (.repo) and apt (.list) repository files are rendered; the install writes only the one that fits each host.',
    );
  }
  if (a.hosts.some((h) => debTarget(input.facts?.[h.name]).guessed)) {
    notes.push(
      "Docker CE's apt repository is rendered for ubuntu/noble where the host's distribution is not known yet.",
    );
  }
  if (a.network.proxyMode === 'ipvs') {
    notes.push(
      "kube-proxy IPVS mode (the seed's choice) is deprecated since Kubernetes 1.35; nftables is the modern choice.",
    );
  }
  return notes;
}
