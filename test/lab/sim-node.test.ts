// The simulated node OS accepts correct use and fails on wrong use, like the real tools:
// package managers and repositories, systemctl, swap, modules and sysctl, curl.
import { describe, expect, it } from 'vitest';
import { labExec, type LabState } from './lab.js';
import { sh, useLab } from './fixture.js';

const { enabled, lab } = useLab('simulated node OS tests');

function run(state: LabState, host: string, script: string): { code: number; out: string } {
  const r = labExec(state, host, script);
  return { code: r.code, out: `${r.stdout}${r.stderr}` };
}

const K8S_REPO = (minor: string, exclude = true) =>
  `[kubernetes]\nname=Kubernetes\nbaseurl=https://pkgs.k8s.io/core:/stable:/v${minor}/rpm/\nenabled=1\ngpgcheck=1\ngpgkey=https://pkgs.k8s.io/core:/stable:/v${minor}/rpm/repodata/repomd.xml.key\n${exclude ? 'exclude=kubelet kubeadm kubectl cri-tools kubernetes-cni\n' : ''}`;

describe.runIf(enabled)('package managers (rocky: master01, ubuntu: master02)', () => {
  it('dnf installs kubeadm only from a repo file for the right minor, honouring excludes', () => {
    const s = lab.state;
    let r = run(s, 'master01', 'dnf install -y kubeadm-1.36.4');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/No match for argument: kubeadm-1\.36\.4/);
    sh(s, 'master01', `cat > /etc/yum.repos.d/kubernetes.repo <<'EOF'\n${K8S_REPO('1.35')}EOF`);
    r = run(s, 'master01', 'dnf install -y kubeadm-1.36.4 --disableexcludes=kubernetes');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Unable to find a match: kubeadm-1\.36\.4/);
    sh(s, 'master01', `cat > /etc/yum.repos.d/kubernetes.repo <<'EOF'\n${K8S_REPO('1.36')}EOF`);
    r = run(s, 'master01', 'dnf install -y kubeadm-1.36.4');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /All matches were filtered out by exclude filtering for argument: kubeadm-1\.36\.4/,
    );
    r = run(s, 'master01', 'dnf install kubeadm-1.36.4 --disableexcludes=kubernetes');
    expect(r.code, 'without -y and without a terminal dnf aborts').toBe(1);
    expect(r.out).toMatch(/Operation aborted/);
    r = run(s, 'master01', 'dnf install -y kubeadm-1.36.4 kubelet-1.36.4 --disableexcludes=kubernetes');
    expect(r.code, r.out).toBe(0);
    expect(sh(s, 'master01', 'rpm -q kubeadm kubelet cri-tools')).toMatch(
      /kubeadm-1\.36\.4-150500\.1\.1\.x86_64\nkubelet-1\.36\.4-150500\.1\.1\.x86_64\ncri-tools-1\.36\.0/,
    );
    expect(sh(s, 'master01', 'kubeadm version -o short').trim()).toBe('v1.36.4');
    // upgrade only touches what is installed, as the real dnf and apt do.
    r = run(s, 'master01', 'dnf upgrade -y containerd.io');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /Package containerd\.io available, but not installed[\s\S]*No packages marked for upgrade/,
    );
    r = run(s, 'master01', 'dnf upgrade -y kubeadm --disableexcludes=kubernetes');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Nothing to do/);
    r = run(s, 'master02', 'apt-get install -y --only-upgrade containerd.io');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Skipping containerd\.io, it is not installed and only upgrades are requested/);
  });

  it('dnf fails on the removed Google repos and needs the Docker CE repo for containerd.io', () => {
    const s = lab.state;
    let r = run(s, 'master03', 'dnf install -y containerd.io');
    expect(r.out).toMatch(/No match for argument: containerd\.io/);
    sh(
      s,
      'master03',
      "printf '[kubernetes]\\nbaseurl=https://packages.cloud.google.com/yum/repos/kubernetes-el7-x86_64\\nenabled=1\\n' > /etc/yum.repos.d/kubernetes.repo",
    );
    r = run(s, 'master03', 'dnf install -y haproxy');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Failed to download metadata for repo 'kubernetes'/);
    sh(
      s,
      'master03',
      'rm /etc/yum.repos.d/kubernetes.repo && dnf config-manager --add-repo https://download.docker.com/linux/rhel/docker-ce.repo >/dev/null',
    );
    r = run(s, 'master03', 'dnf install -y containerd.io');
    expect(r.code, r.out).toBe(0);
    expect(sh(s, 'master03', 'containerd --version')).toMatch(/containerd\.io 2\.3\.4/);
  });

  it('apt needs the signed repo and an update, and installs exact versions it has', () => {
    const s = lab.state;
    const list =
      "echo 'deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.asc] https://pkgs.k8s.io/core:/stable:/v1.36/deb/ /' > /etc/apt/sources.list.d/kubernetes.list";
    sh(s, 'master02', list);
    let r = run(s, 'master02', 'apt-get update');
    expect(r.code).toBe(100);
    expect(r.out).toMatch(/NO_PUBKEY[\s\S]*is not signed/);
    sh(
      s,
      'master02',
      'curl -fsSL https://pkgs.k8s.io/core:/stable:/v1.36/deb/Release.key -o /etc/apt/keyrings/kubernetes-apt-keyring.asc',
    );
    r = run(s, 'master02', 'apt-get install -y kubeadm=1.36.4-1.1');
    expect(r.code, 'not before apt-get update').toBe(100);
    expect(r.out).toMatch(/Unable to locate package kubeadm/);
    sh(s, 'master02', 'apt-get update');
    r = run(s, 'master02', 'apt-get install -y kubeadm=1.36.9-1.1');
    expect(r.code).toBe(100);
    expect(r.out).toMatch(/Version '1\.36\.9-1\.1' for 'kubeadm' was not found/);
    r = run(s, 'master02', 'apt-get install -y kubelet=1.36.4-1.1 kubeadm=1.36.4-1.1 kubectl=1.36.4-1.1');
    expect(r.code, r.out).toBe(0);
    sh(s, 'master02', 'apt-mark hold kubelet kubeadm kubectl');
    expect(sh(s, 'master02', 'apt-mark showhold').trim().split('\n').sort()).toEqual([
      'kubeadm',
      'kubectl',
      'kubelet',
    ]);
    expect(sh(s, 'master02', 'dpkg -s kubeadm')).toMatch(/Status: hold ok installed\nVersion: 1\.36\.4-1\.1/);
    r = run(s, 'master02', 'dpkg -s haproxy');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/package 'haproxy' is not installed/);
    // The Docker CE repo must name this distribution and release.
    sh(
      s,
      'master02',
      "curl -fsSL https://download.docker.com/linux/ubuntu/gpg -o /etc/apt/keyrings/docker.asc && echo 'deb [signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian bookworm stable' > /etc/apt/sources.list.d/docker.list",
    );
    r = run(s, 'master02', 'apt-get update');
    expect(r.out).toMatch(/does not have a Release file/);
  });

  it('answers "command not found" for the other family\'s tools', () => {
    const s = lab.state;
    expect(run(s, 'master01', 'apt-get update').code).toBe(127);
    expect(run(s, 'master02', 'dnf makecache').code).toBe(127);
    expect(run(s, 'master02', 'getenforce').code).toBe(127);
    expect(sh(s, 'master01', 'getenforce').trim()).toBe('Enforcing');
    sh(s, 'master01', 'setenforce 0');
    expect(sh(s, 'master01', 'getenforce').trim()).toBe('Permissive');
  });
});

describe.runIf(enabled)('systemctl, swap, modules, sysctl (worker02, RHEL family)', () => {
  it("starts containerd only with a config it can read; Docker's default leaves the CRI off", () => {
    const s = lab.state;
    expect(run(s, 'worker02', 'systemctl start containerd').code).toBe(5);
    sh(
      s,
      'worker02',
      'dnf config-manager --add-repo https://mirrors.aliyun.com/docker-ce/linux/rhel/docker-ce.repo >/dev/null && dnf install -y containerd.io >/dev/null',
    );
    // Docker's package config: containerd starts (kubeadm's preflight then finds the CRI disabled).
    let r = run(s, 'worker02', 'systemctl start containerd && systemctl is-active containerd');
    expect(r.code, r.out).toBe(0);
    expect(sh(s, 'worker02', 'cat /etc/containerd/config.toml')).toMatch(/disabled_plugins = \["cri"\]/);
    sh(
      s,
      'worker02',
      "systemctl stop containerd; printf 'version = 3\\n[plugins\\n' > /etc/containerd/config.toml",
    );
    r = run(s, 'worker02', 'systemctl start containerd');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Job for containerd\.service failed/);
    expect(sh(s, 'worker02', 'systemctl status containerd || true')).toMatch(/failed to load TOML/);
    sh(s, 'worker02', "printf 'version = 5\\n' > /etc/containerd/config.toml");
    expect(sh(s, 'worker02', 'systemctl start containerd; systemctl status containerd || true')).toMatch(
      /unsupported config version 5 \(containerd 2\.3\.4 reads up to version 4\)/,
    );
    sh(
      s,
      'worker02',
      'printf \'version = 3\\n[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]\\n  SystemdCgroup = true\\n\' > /etc/containerd/config.toml',
    );
    r = run(
      s,
      'worker02',
      'systemctl enable --now containerd && systemctl is-active containerd && systemctl is-enabled containerd',
    );
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/active\nenabled/);
    r = run(s, 'worker02', 'systemctl stop containerd; systemctl is-active containerd');
    expect(r.code).toBe(3);
    expect(r.out.trim()).toBe('inactive');
  });

  it('has swap on until swapoff, with an fstab line that swapon -a brings back', () => {
    const s = lab.state;
    expect(sh(s, 'worker02', 'swapon --show --noheadings')).toMatch(/\/dev\/dm-1\s+partition/);
    expect(sh(s, 'worker02', 'grep -c swap /etc/fstab').trim()).toBe('1');
    sh(s, 'worker02', 'swapoff -a');
    expect(sh(s, 'worker02', 'swapon --show')).toBe('');
    sh(s, 'worker02', 'swapon -a');
    expect(sh(s, 'worker02', 'swapon --show --noheadings')).not.toBe('');
    sh(s, 'worker02', "swapoff -a && sed -ri '/\\sswap\\s/s/^/#/' /etc/fstab && swapon -a");
    expect(sh(s, 'worker02', 'swapon --show')).toBe('');
  });

  it('needs br_netfilter before the bridge sysctls, and applies ip_forward in the host only', () => {
    const s = lab.state;
    sh(
      s,
      'worker02',
      "printf 'net.ipv4.ip_forward = 1\\nnet.bridge.bridge-nf-call-iptables = 1\\n' > /etc/sysctl.d/k8s.conf",
    );
    let r = run(s, 'worker02', 'sysctl --system');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/cannot stat \/proc\/sys\/net\/bridge\/bridge-nf-call-iptables/);
    expect(run(s, 'worker02', 'modprobe no_such_module').out).toMatch(
      /FATAL: Module no_such_module not found/,
    );
    sh(s, 'worker02', 'modprobe br_netfilter && sysctl --system');
    expect(sh(s, 'worker02', 'sysctl -n net.bridge.bridge-nf-call-iptables').trim()).toBe('1');
    expect(sh(s, 'worker02', 'cat /proc/sys/net/ipv4/ip_forward').trim()).toBe('1');
    expect(sh(s, 'worker01', 'cat /proc/sys/net/ipv4/ip_forward').trim()).toBe('0');
    expect(sh(s, 'worker02', 'lsmod')).toMatch(/^br_netfilter\s/m);
    r = run(s, 'worker02', 'reboot');
    expect(r.code).toBe(1);
  });
});

describe.runIf(enabled)('curl (no internet in the lab)', () => {
  it('serves fixtures for known manifests, fails offline elsewhere, and passes lab addresses to the real curl', () => {
    const s = lab.state;
    expect(
      sh(
        s,
        'worker01',
        'curl -fsSL https://raw.githubusercontent.com/projectcalico/calico/v3.32.1/manifests/calico.yaml',
      ),
    ).toMatch(/#\s+- name: CALICO_IPV4POOL_CIDR/);
    let r = run(
      s,
      'worker01',
      'curl -fsSL https://raw.githubusercontent.com/projectcalico/calico/v9.9.9/manifests/nope.yaml',
    );
    expect(r.code).toBe(22);
    r = run(s, 'worker01', 'curl -sS https://example.com/');
    expect(r.code).toBe(6);
    expect(r.out).toMatch(/Could not resolve host: example\.com/);
    r = run(s, 'worker01', 'curl -s --max-time 2 http://172.16.100.180:1/');
    expect(r.code, 'a lab address reaches the real curl: connection refused is exit 7').toBe(7);
  });
});
