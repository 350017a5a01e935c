// Step 2 (every node): hostname, /etc/hosts, firewall, SELinux permissive, swap off (also in
// fstab), kernel modules, sysctl. Each item is probed first, so a rerun changes nothing.
import type { Step } from './engine/step.js';
import type { StepContext } from './engine/context.js';
import { firewallRules } from './firewall-ports.js';
import { kernelModules } from '../render/node-basics.js';
import { quote } from './transport/shell.js';
import { usesHaproxy } from '../answers/model.js';

const ACTIVE_SWAP_LINE = "grep -Eq '^[^#]\\S*\\s+\\S+\\s+swap\\s' /etc/fstab";

interface Item {
  name: string;
  /** The reads `done` makes (fetched for every item in one round trip). */
  reads(ctx: StepContext): string[];
  done(ctx: StepContext): Promise<boolean>;
  fix(ctx: StepContext): Promise<void>;
}

const hostname: Item = {
  name: 'hostname',
  reads: () => ['hostname'],
  done: async (ctx) => (await ctx.probe('hostname')).stdout.trim() === ctx.node.name,
  fix: async (ctx) => void (await ctx.run(`hostnamectl set-hostname ${quote(ctx.node.name)}`)),
};

const hostsFile: Item = {
  name: '/etc/hosts',
  reads: (ctx) => [ctx.fileRead(ctx.file('/etc/hosts'))],
  done: (ctx) => ctx.isUpToDate(ctx.file('/etc/hosts')),
  fix: async (ctx) => void (await ctx.ensureFile(ctx.file('/etc/hosts'))),
};

/** The one read that tells whether the firewall is as answered (none when there is nothing to do). */
function firewallRead(ctx: StepContext): string | undefined {
  const mode = ctx.answers.system.firewall;
  const fw = ctx.facts.firewall;
  if (mode === 'leave' || fw === 'none') return undefined;
  if (mode === 'disable')
    return fw === 'firewalld'
      ? 'systemctl is-active --quiet firewalld'
      : "ufw status | grep -q 'Status: active'";
  return fw === 'firewalld'
    ? 'firewall-cmd --permanent --list-ports; firewall-cmd --permanent --list-protocols'
    : 'ufw status';
}

const firewall: Item = {
  name: 'firewall',
  reads: (ctx) => [firewallRead(ctx)].filter((x): x is string => !!x),
  async done(ctx) {
    const read = firewallRead(ctx);
    if (!read) return true;
    const r = await ctx.probe(read);
    if (ctx.answers.system.firewall === 'disable') return r.code !== 0;
    const rules = firewallRules(ctx.answers, ctx.node);
    if (ctx.facts.firewall === 'firewalld') {
      const have = new Set(r.stdout.split(/\s+/));
      return rules.ports.every((p) => have.has(p)) && rules.protocols.every((p) => have.has(p));
    }
    return rules.ports.every((p) => r.stdout.includes(p));
  },
  async fix(ctx) {
    const mode = ctx.answers.system.firewall;
    const fw = ctx.facts.firewall;
    if (mode === 'disable') {
      await ctx.run(fw === 'firewalld' ? 'systemctl disable --now firewalld' : 'ufw disable');
      return;
    }
    const rules = firewallRules(ctx.answers, ctx.node);
    if (fw === 'firewalld') {
      const args = [
        ...rules.ports.map((p) => `--add-port=${p}`),
        ...rules.protocols.map((p) => `--add-protocol=${p}`),
      ].join(' ');
      await ctx.run(`firewall-cmd --permanent ${args} && firewall-cmd --reload`);
    } else {
      await ctx.run(rules.ports.map((p) => `ufw allow ${quote(p)}`).join(' && '));
      if (ctx.node.role === 'control-plane' && usesHaproxy(ctx.answers))
        await ctx.run("ufw allow to 224.0.0.18 comment 'keepalived VRRP'");
    }
  },
};

const SELINUX_READ = "getenforce 2>/dev/null; grep -E '^SELINUX=' /etc/selinux/config 2>/dev/null";

const selinux: Item = {
  name: 'SELinux',
  reads: (ctx) => (ctx.family === 'rhel' ? [SELINUX_READ] : []),
  async done(ctx) {
    if (ctx.family !== 'rhel') return true;
    const r = await ctx.probe(SELINUX_READ);
    return !/^Enforcing$/m.test(r.stdout) && !/^SELINUX=enforcing$/m.test(r.stdout);
  },
  async fix(ctx) {
    // Permissive, as kubeadm's install guide does; not disabled, so policy still logs denials.
    await ctx.run(
      'if [ "$(getenforce)" = Enforcing ]; then setenforce 0; fi; if [ -f /etc/selinux/config ]; then sed -i \'s/^SELINUX=enforcing$/SELINUX=permissive/\' /etc/selinux/config; fi',
    );
  },
};

const SWAP_OFF = `test -z "$(swapon --show --noheadings 2>/dev/null)" && ! ${ACTIVE_SWAP_LINE}`;

const swap: Item = {
  name: 'swap',
  reads: () => [SWAP_OFF],
  done: async (ctx) => (await ctx.probe(SWAP_OFF)).code === 0,
  async fix(ctx) {
    // The kubelet refuses to run with swap on (failSwapOn); comment the fstab line so it stays off.
    await ctx.run(`swapoff -a && sed -ri '/^[^#]\\S*\\s+\\S+\\s+swap\\s/s/^/#/' /etc/fstab`);
  },
};

const modules: Item = {
  name: 'kernel modules',
  reads: (ctx) => [ctx.fileRead(ctx.file('/etc/modules-load.d/k8s.conf')), 'lsmod'],
  async done(ctx) {
    if (!(await ctx.isUpToDate(ctx.file('/etc/modules-load.d/k8s.conf')))) return false;
    const loaded = (await ctx.probe('lsmod')).stdout;
    return kernelModules(ctx.answers).every((m) => new RegExp(`^${m}\\s`, 'm').test(loaded));
  },
  async fix(ctx) {
    await ctx.ensureFile(ctx.file('/etc/modules-load.d/k8s.conf'));
    await ctx.run(`modprobe -a ${kernelModules(ctx.answers).join(' ')}`);
  },
};

const SYSCTL_READ = 'sysctl -n net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables';

const sysctl: Item = {
  name: 'sysctl',
  reads: (ctx) => [ctx.fileRead(ctx.file('/etc/sysctl.d/k8s.conf')), SYSCTL_READ],
  async done(ctx) {
    if (!(await ctx.isUpToDate(ctx.file('/etc/sysctl.d/k8s.conf')))) return false;
    const r = await ctx.probe(SYSCTL_READ);
    return r.stdout.trim().split(/\s+/).join(' ') === '1 1';
  },
  async fix(ctx) {
    await ctx.ensureFile(ctx.file('/etc/sysctl.d/k8s.conf'));
    await ctx.run('sysctl -p /etc/sysctl.d/k8s.conf');
  },
};

// Order matters: br_netfilter must be loaded before the bridge sysctls exist.
const ITEMS: Item[] = [hostname, hostsFile, firewall, selinux, swap, modules, sysctl];

export const prepareSystem: Step = {
  id: 'prepare-system',
  title: 'System preparation',
  phase: 'prepare',
  scope: 'node',
  appliesTo: () => true,
  retry: { tries: 3, delayMs: 3000 },
  skippable: false,
  reads: (ctx) => ITEMS.flatMap((i) => i.reads(ctx)),
  async check(ctx) {
    for (const item of ITEMS) if (!(await item.done(ctx))) return false;
    return true;
  },
  async apply(ctx) {
    for (const item of ITEMS) if (!(await item.done(ctx))) await item.fix(ctx);
  },
};
