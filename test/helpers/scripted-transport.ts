// A transport that answers from a script instead of a host: canned facts, a healthy cluster, and
// failures injected by pattern. Engine and wizard tests run on it without root or a lab.
import { stringify } from 'yaml';
import { apiEndpointText } from '../../src/answers/model.js';
import type { Answers, Host } from '../../src/answers/schema.js';
import type { ExecOptions, ExecResult, Transport } from '../../src/steps/transport/types.js';
import { UnreachableError } from '../../src/steps/transport/types.js';

export interface Fault {
  host?: string;
  match: RegExp;
  /** How many times it fails before it succeeds (Infinity: always). */
  times: number;
  code?: number;
  stderr?: string;
  /** Fail by losing the connection instead of a non-zero exit. */
  unreachable?: boolean;
  /** Resolve only when this promise does (to hold a step "in flight"). */
  gate?: Promise<void>;
}

export interface Script {
  answers: Answers;
  faults?: Fault[];
  /** Milliseconds every command takes. */
  latencyMs?: number;
  unreachableHosts?: string[];
  /** Canned stdout for commands that match (the first match wins). */
  outputs?: { match: RegExp; stdout: string }[];
  /** What kubeadm did on each host, shared by every transport (and by runs that resume). */
  state?: Map<string, Set<string>>;
}

export class ScriptedTransport implements Transport {
  readonly commands: string[] = [];
  readonly uploads: { path: string; content: string }[] = [];

  constructor(
    readonly host: string,
    private readonly script: Script,
    private readonly node: Host,
  ) {}

  async connect(): Promise<void> {
    if (this.script.unreachableHosts?.includes(this.host))
      throw new UnreachableError(
        this.host,
        `cannot connect to ${this.node.address}:22: connect EHOSTUNREACH`,
      );
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    await this.connect();
    this.commands.push(command);
    if (this.script.latencyMs) await new Promise((r) => setTimeout(r, this.script.latencyMs));
    for (const f of this.script.faults ?? []) {
      if ((f.host && f.host !== this.host) || !f.match.test(command) || f.times <= 0) continue;
      f.times--;
      if (f.gate) await f.gate;
      if (f.unreachable) throw new UnreachableError(this.host, 'the connection was lost while a command ran');
      opts.onStderr?.(f.stderr ?? 'scripted failure');
      return { code: f.code ?? 1, stdout: '', stderr: f.stderr ?? 'scripted failure', durationMs: 1 };
    }
    const stdout = this.answer(command);
    for (const l of stdout.split('\n').filter(Boolean)) opts.onStdout?.(l);
    const code = this.kubeadmState(command) ?? this.codeFor(command);
    if (/^kubeadm init --config/.test(command)) this.mark(this.host, 'init');
    if (/^kubeadm join --config/.test(command)) this.mark(this.host, 'join');
    return { code, stdout, stderr: '', durationMs: 1 };
  }

  private marks(host: string): Set<string> {
    const state = (this.script.state ??= new Map());
    let m = state.get(host);
    if (!m) state.set(host, (m = new Set()));
    return m;
  }

  private mark(host: string, what: string): void {
    this.marks(host).add(what);
  }

  /** Probes about kubeadm's work answer from what kubeadm did here before. */
  private kubeadmState(command: string): number | undefined {
    const mine = this.marks(this.host);
    const node = /get node '?([^'\s]+)'? -o name/.exec(command)?.[1];
    if (node) return this.marks(node).size > 0 ? 0 : 1;
    if (command.includes('/etc/kubernetes/admin.conf') && command.startsWith('test -f'))
      return mine.has('init') || (mine.has('join') && this.node.role === 'control-plane') ? 0 : 1;
    if (command.startsWith('test -f /etc/kubernetes/kubelet.conf')) return mine.size > 0 ? 0 : 1;
    return undefined;
  }

  /** Probes report "not done" on a fresh node, so every step applies; actions succeed. */
  private codeFor(command: string): number {
    if (
      /^(sha256sum|test |rpm -q|dpkg -s|systemctl is-(active|enabled|failed) --quiet|grep -q|ls )/.test(
        command,
      )
    )
      return 1;
    return 0;
  }

  private answer(command: string): string {
    const canned = this.script.outputs?.find((o) => o.match.test(command));
    if (canned) return canned.stdout;
    if (command.includes('os_id=')) {
      const i = this.script.answers.hosts.findIndex((h) => h.name === this.host);
      return [
        'os_id=rocky',
        'os_like=rhel centos fedora',
        'os_version=9.6',
        `hostname=${this.host}`,
        'arch=x86_64',
        'cpus=4',
        'mem_kb=8000000',
        `machine_id=${String(i).padStart(32, '0')}`,
        `macs=02:00:00:00:00:${String(i).padStart(2, '0')}`,
        'addr_iface=eth0',
        'swap=1',
        'selinux=Enforcing',
        `epoch_ms=${Date.now()}`,
        'cgroup=cgroup2fs',
        'uid=0',
        'firewall=none',
      ].join('\n');
    }
    if (/get nodes -o json/.test(command)) {
      return JSON.stringify({
        items: this.script.answers.hosts.map((h) => ({
          metadata: {
            name: h.name,
            labels: h.role === 'control-plane' ? { 'node-role.kubernetes.io/control-plane': '' } : {},
          },
          status: { conditions: [{ type: 'Ready', status: 'True' }] },
        })),
      });
    }
    if (command === 'hostname') return `${this.host}\n`;
    if (/get pods -o json/.test(command)) return JSON.stringify({ items: [] });
    // The load-balancer consistency check reads back what the install uploaded.
    if (command.includes('---HAPROXY---')) {
      const last = (p: string) => [...this.uploads].reverse().find((u) => u.path === p)?.content ?? '';
      return `${last('/etc/keepalived/keepalived.conf')}\n---HAPROXY---\n${last('/etc/haproxy/haproxy.cfg')}`;
    }
    if (command.includes('mkdir -m 700 /run/k8sha-wizard/lock')) return 'acquired\n';
    return '';
  }

  async upload(path: string, content: string | Buffer): Promise<void> {
    await this.connect();
    this.uploads.push({ path, content: content.toString() });
  }

  async download(path: string): Promise<Buffer> {
    if (path === '/etc/kubernetes/admin.conf') {
      return Buffer.from(
        stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'c', cluster: { server: `https://${apiEndpointText(this.script.answers)}` } }],
        }),
      );
    }
    return Buffer.from('');
  }

  async close(): Promise<void> {}
}

export function scriptedFactory(script: Script): {
  factory: (h: Host) => ScriptedTransport;
  all: Map<string, ScriptedTransport>;
} {
  const all = new Map<string, ScriptedTransport>();
  return {
    all,
    factory: (h) => {
      const t = new ScriptedTransport(h.name, script, h);
      all.set(h.name, t);
      return t;
    },
  };
}
