// `kubeadm reset -f`: on a control plane, first remove this node's etcd member through a healthy
// member (a warning, not an error, when that fails), then stop the kubelet and the static pods and
// delete kubeadm's files. Like the real one it leaves the Node object (it turns NotReady once the
// kubelet stops posting), the CNI config, iptables/nftables and IPVS state alone, and says so.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { err, fail, out } from '../env.js';
import { inv } from '../invocation.js';
import { forgetNodeStatus } from '../kubelet.js';
import { knownPods, MANIFESTS, stopPodAndWait } from '../static-pods.js';
import { setKubeletStopped } from '../units.js';
import { etcdClient, PKI } from './api.js';

function ownPeerUrl(): string | undefined {
  const m = /--initial-advertise-peer-urls=(\S+)/.exec(
    existsSync(`${MANIFESTS}/etcd.yaml`) ? readFileSync(`${MANIFESTS}/etcd.yaml`, 'utf8') : '',
  );
  return m?.[1];
}

async function removeEtcdMember(): Promise<void> {
  const peer = ownPeerUrl();
  if (!peer || !existsSync(`${PKI}/apiserver-etcd-client.crt`)) return;
  out(
    '[reset] Removing info for node from the ConfigMap "kubeadm-config" in the "kube-system" Namespace\n[reset] Removing member from the etcd cluster',
  );
  const etcd = etcdClient(['https://127.0.0.1:2379']);
  try {
    const members = await etcd.members();
    const me = members.find((m) => m.peerURLs.includes(peer));
    if (!me) return;
    if (members.length === 1) {
      out('[reset] This is the last etcd member: nothing to remove it from');
      return;
    }
    await etcd.removeMember(me.id);
    out(`[reset] Removed etcd member ${me.id} (${peer})`);
  } catch (e) {
    err(
      `W1130 [reset] Failed to remove etcd member: ${(e as Error).message}. Please manually remove this etcd member using etcdctl`,
    );
  } finally {
    etcd.close();
  }
}

export async function reset(argv: string[]): Promise<void> {
  if (!argv.includes('-f') && !argv.includes('--force')) {
    out('[reset] Are you sure you want to proceed? [y/N]: ');
    fail(1, 'error execution phase preflight: aborted reset operation');
  }
  if (inv().uid !== 0) fail(1, 'error execution phase preflight: user is not running as root');
  out('[preflight] Running pre-flight checks');
  await removeEtcdMember();
  out('[reset] Stopping the kubelet service');
  setKubeletStopped();
  out('[reset] Unmounting mounted directories in "/var/lib/kubelet"');
  for (const name of knownPods()) await stopPodAndWait(name);
  const dirs = [MANIFESTS, '/var/lib/kubelet', PKI, '/var/lib/etcd'];
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  const files = [
    'admin.conf',
    'super-admin.conf',
    'kubelet.conf',
    'bootstrap-kubelet.conf',
    'controller-manager.conf',
    'scheduler.conf',
  ].map((f) => `/etc/kubernetes/${f}`);
  for (const f of files) rmSync(f, { force: true });
  forgetNodeStatus();
  out(
    `[reset] Deleting contents of directories: [${dirs.join(' ')}]\n[reset] Deleting files: [${files.join(' ')}]\n\nThe reset process does not clean CNI configuration. To do so, you must remove /etc/cni/net.d\n\nThe reset process does not reset or clean up iptables rules or IPVS tables.\nIf you wish to reset iptables, you must do so manually by using the "iptables" command.\n\nIf your cluster was setup to utilize IPVS, run ipvsadm --clear (or similar)\nto reset your system's IPVS tables.\n\nThe reset process does not clean your kubeconfig files and you must remove them manually.\nPlease, check the contents of the $HOME/.kube/config file.`,
  );
}
