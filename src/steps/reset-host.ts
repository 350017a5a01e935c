// Put a host back as it was before the install, apart from the packages: kubeadm reset, then what
// kubeadm leaves to the operator (CNI config and interfaces, IPVS and kube-proxy's nftables, the
// kubeconfigs), our services (haproxy, keepalived, the renewal timer) stopped and disabled, every
// file this tool rendered there removed (package sources stay) and the /etc/hosts block taken out.
// The check lists what is left, so a rerun after kill -9 finishes the job and a clean host is "ok".
import { vipAddress } from '../answers/model.js';
import type { Answers, Host } from '../answers/schema.js';
import { HOSTS_BLOCK_BEGIN, HOSTS_BLOCK_END } from '../render/node-basics.js';
import { CERT_RENEW_UNIT } from '../render/cert-renewal.js';
import { ETCD_BACKUP_UNIT } from '../render/etcd-backup.js';
import type { StepContext } from './engine/context.js';
import { StepError } from './engine/failure.js';
import type { Step } from './engine/step.js';
import { quote } from './transport/shell.js';

/** Interfaces that CNI plugins and kube-proxy create. */
const CNI_LINKS = '^(cali|tunl0|vxlan\\.calico|kube-ipvs0|cni0|flannel|nodelocaldns)';
// The snapshots the etcd backup timer kept (/var/backups/k8s-etcd) stay: they may be all that is left.
const SERVICES = [
  'kubelet',
  'haproxy',
  'keepalived',
  `${CERT_RENEW_UNIT}.timer`,
  `${ETCD_BACKUP_UNIT}.timer`,
];

/** Rendered files that belong to the install, not to a package's sources (those stay with the packages). */
function installedFiles(ctx: StepContext): string[] {
  return ctx
    .files()
    .filter((f) => f.kind !== 'managed-block')
    .map((f) => f.path)
    .filter((p) => !/^\/etc\/(yum\.repos\.d|apt)\//.test(p) && p !== '/etc/containerd/config.toml');
}

/** One line per thing the install left on the host; nothing when it is clean. */
export function leftoversScript(a: Answers, files: string[]): string {
  const vip = vipAddress(a);
  return [
    ...SERVICES.map((s) => `systemctl is-active --quiet ${quote(s)} && echo ${quote(`${s} is running`)}`),
    '[ -e /etc/kubernetes ] && echo "/etc/kubernetes exists"',
    '[ -n "$(ls -A /var/lib/etcd 2>/dev/null)" ] && echo "etcd data in /var/lib/etcd"',
    '[ -n "$(ls -A /etc/cni/net.d 2>/dev/null)" ] && echo "CNI configuration in /etc/cni/net.d"',
    `ip -o link show 2>/dev/null | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | grep -E ${quote(CNI_LINKS)} | sed 's/^/CNI interface /'`,
    `ipvsadm -Ln 2>/dev/null | grep -qE '^(TCP|UDP)' && echo "IPVS rules"`,
    `nft list table ip kube-proxy >/dev/null 2>&1 && echo "kube-proxy's nftables table"`,
    ...(vip
      ? [`ip -o -4 addr show 2>/dev/null | grep -q ${quote(` ${vip}/`)} && echo "the VIP ${vip}"`]
      : []),
    `grep -qF ${quote(HOSTS_BLOCK_BEGIN)} /etc/hosts 2>/dev/null && echo "the managed block in /etc/hosts"`,
    ...files.map((f) => `[ -e ${quote(f)} ] && echo ${quote(f)}`),
    'true',
  ].join('\n');
}

function cleanupScript(a: Answers, h: Host, files: string[]): string {
  const vip = vipAddress(a);
  return [
    'command -v kubeadm >/dev/null && kubeadm reset -f',
    ...SERVICES.map((s) => `systemctl disable --now ${quote(s)} 2>/dev/null`),
    'rm -rf /etc/kubernetes /var/lib/etcd /var/lib/kubelet /etc/cni/net.d /var/lib/cni /root/.kube/config',
    `for l in $(ip -o link show 2>/dev/null | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | grep -E ${quote(CNI_LINKS)}); do ip link delete "$l"; done`,
    'command -v ipvsadm >/dev/null && ipvsadm --clear',
    'nft delete table ip kube-proxy 2>/dev/null; nft delete table ip6 kube-proxy 2>/dev/null',
    // kube-proxy's and Calico's iptables chains (kubeadm's documented cleanup); a host firewall that
    // keeps its rules in iptables is restarted to put its own back.
    '(iptables -F && iptables -t nat -F && iptables -t mangle -F && iptables -X) 2>/dev/null',
    'for fw in firewalld ufw; do systemctl is-active --quiet $fw && systemctl restart $fw; done',
    // Wherever it is and with whatever prefix: keepalived's, or kube-vip's /32 left by a killed pod.
    ...(vip
      ? [
          `ip -o -4 addr show | awk -v v=${quote(vip)} 'index($4, v "/") == 1 {print $2, $4}' | while read -r dev addr; do ip -4 addr del "$addr" dev "$dev"; done`,
        ]
      : []),
    `sed -i ${quote(`/^${HOSTS_BLOCK_BEGIN}/,/^${HOSTS_BLOCK_END}/d`)} /etc/hosts`,
    ...(files.length ? [`rm -f ${files.map(quote).join(' ')}`] : []),
    'systemctl daemon-reload',
    'true',
  ].join('\n');
}

const step = (appliesTo: Step['appliesTo']): Step => ({
  id: 'reset-host',
  title: 'Reset the host (kubeadm reset and everything around it)',
  phase: 'reset',
  scope: 'node',
  appliesTo,
  retry: { tries: 2, delayMs: 3000 },
  skippable: false,
  async check(ctx) {
    return (await ctx.probe(leftoversScript(ctx.answers, installedFiles(ctx)))).stdout.trim() === '';
  },
  async apply(ctx) {
    await ctx.run(cleanupScript(ctx.answers, ctx.node, installedFiles(ctx)), {
      timeoutMs: 5 * 60_000,
      label:
        'kubeadm reset -f; stop and disable kubelet, haproxy, keepalived; remove /etc/kubernetes, etcd data, CNI config and interfaces, IPVS and kube-proxy rules, the VIP, the /etc/hosts block and the rendered files',
    });
    const left = (await ctx.probe(leftoversScript(ctx.answers, installedFiles(ctx)))).stdout.trim();
    if (left)
      throw new StepError(
        `after the reset, ${ctx.node.name} still has: ${left.split('\n').join('; ')}`,
        `remove these by hand on ${ctx.node.name} (see its log), then run the command again`,
      );
  },
});

/** Every host of the run (reset of the whole cluster). */
export const resetHost = step(() => true);

/** Only the hosts leaving the cluster: not in the answers any more (remove). */
export const resetDepartingHost: Step = {
  ...step((h, a) => !a.hosts.some((x) => x.name === h.name)),
  departing: true,
};
