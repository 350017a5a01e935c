// Lab tests share one lab per file: up before, down after. Without root or namespaces they skip
// loudly (and fail in CI, see test/helpers/root.ts).
import { afterAll, beforeAll } from 'vitest';
import type { RenderedFile } from '../../src/render/types.js';
import { privilegedOrSkip } from '../helpers/root.js';
import { labDown, labExec, labUp, type LabOptions, type LabState } from './lab.js';

export interface LabHandle {
  readonly state: LabState;
}

/** Call at the top of a describe block; `enabled` is false when the suite must be skipped. */
export function useLab(what: string, opts: LabOptions = {}): { enabled: boolean; lab: LabHandle } {
  const enabled = privilegedOrSkip(what);
  let state: LabState | undefined;
  if (enabled) {
    beforeAll(async () => {
      state = await labUp(opts);
    }, 180_000);
    afterAll(async () => {
      // K8SHA_LAB_KEEP=1 leaves the lab up for a look after a failure (`npm run lab -- down` later).
      if (process.env.K8SHA_LAB_KEEP) return;
      await labDown(state?.dir);
    }, 120_000);
  }
  return {
    enabled,
    lab: {
      get state(): LabState {
        if (!state) throw new Error('the lab is not up');
        return state;
      },
    },
  };
}

/** Run a shell script on a host; throw with its output unless it exits 0. */
export function sh(state: LabState, host: string, script: string, input?: string): string {
  const r = labExec(state, host, script, input);
  if (r.code !== 0) throw new Error(`${host}: \`${script}\` exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Write rendered files onto a host with their modes (what the engine's upload does, by hand). */
export function pushFiles(state: LabState, host: string, files: RenderedFile[]): void {
  for (const f of files.filter((x) => x.kind === 'file')) {
    sh(
      state,
      host,
      `mkdir -p "$(dirname '${f.path}')" && cat > '${f.path}' && chmod ${f.mode.toString(8)} '${f.path}'`,
      f.content,
    );
  }
}

/** True in a host's shell when it is of the RHEL family (dnf); else it is of the Debian family (apt). */
export const IS_RHEL = 'grep -qsw fedora /etc/os-release';

/** Turn a host's firewall off: firewalld (RHEL family), ufw (Ubuntu); Debian runs none. */
export const FIREWALL_OFF = `. /etc/os-release; if ${IS_RHEL}; then systemctl stop firewalld; elif [ "$ID" = ubuntu ]; then ufw disable >/dev/null; fi`;

/**
 * Bring a host to "ready for kubeadm" by hand, with the repos already in place: runtime and
 * Kubernetes packages for its OS family, containerd running, swap off, modules and sysctls, and the
 * firewall off (these tests drive kubeadm by hand; the installer's firewall rules are tested with it).
 */
export const PREPARE_NODE = `set -e
${FIREWALL_OFF}
if ${IS_RHEL}; then
  rm -f /etc/apt/sources.list.d/kubernetes.list /etc/apt/sources.list.d/docker.list
  dnf install -y containerd.io >/dev/null
  dnf install -y kubelet-1.36.4 kubeadm-1.36.4 kubectl-1.36.4 --disableexcludes=kubernetes >/dev/null
else
  rm -f /etc/yum.repos.d/kubernetes.repo /etc/yum.repos.d/docker-ce.repo
  curl -fsSL https://mirrors.aliyun.com/kubernetes-new/core/stable/v1.36/deb/Release.key -o /etc/apt/keyrings/kubernetes-apt-keyring.asc
  curl -fsSL "https://mirrors.aliyun.com/docker-ce/linux/$ID/gpg" -o /etc/apt/keyrings/docker.asc
  apt-get update >/dev/null
  apt-get install -y containerd.io kubelet=1.36.4-1.1 kubeadm=1.36.4-1.1 kubectl=1.36.4-1.1 >/dev/null
fi
systemctl restart containerd
swapoff -a
modprobe -a br_netfilter ip_vs ip_vs_rr ip_vs_wrr ip_vs_sh
sysctl --system >/dev/null
systemctl enable --now kubelet 2>/dev/null
`;
