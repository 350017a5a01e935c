// Drive the built CLI from the lab's operator namespace, as an operator would.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { CLI } from '../helpers/cli.js';
import type { EngineEvent } from '../../src/steps/engine/events.js';
import { labExec, wsArgv, type LabState } from './lab.js';

export interface Workspace {
  stateDir: string;
  kubeconfigDir: string;
  answers: string;
}

export function workspace(
  state: LabState,
  name: string,
  edit?: (a: Record<string, unknown>) => void,
): Workspace {
  const dir = join(state.dir, 'runs', name);
  mkdirSync(dir, { recursive: true });
  const doc = parse(readFileSync(state.answersPath, 'utf8')) as Record<string, unknown>;
  edit?.(doc);
  const answers = join(dir, 'answers.yaml');
  writeFileSync(answers, stringify(doc));
  return { stateDir: join(dir, 'state'), kubeconfigDir: join(dir, 'kube'), answers };
}

export function applyArgs(ws: Workspace, extra: string[] = [], command = 'apply'): string[] {
  return [
    process.execPath,
    CLI,
    command,
    '--answers',
    ws.answers,
    // status is read-only: it has nothing to confirm.
    ...(command === 'status' ? [] : ['--yes']),
    '--state-dir',
    ws.stateDir,
    '--kubeconfig-dir',
    ws.kubeconfigDir,
    ...extra,
  ];
}

export interface ApplyResult {
  code: number;
  stdout: string;
  stderr: string;
  events: EngineEvent[];
  ms: number;
}

/**
 * Run apply (or `command`: remove, reset …) in the operator namespace with JSON events; optionally
 * kill -9 it when `killWhen` says so.
 */
export function apply(
  ws: Workspace,
  opts: {
    command?: string;
    extra?: string[];
    env?: NodeJS.ProcessEnv;
    killWhen?: (e: EngineEvent, seen: EngineEvent[]) => number | undefined;
  } = {},
): Promise<ApplyResult> {
  const [cmd, ...args] = wsArgv(
    applyArgs(ws, ['--output', 'json', ...(opts.extra ?? [])], opts.command ?? 'apply'),
  );
  const started = Date.now();
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(cmd!, args, {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const events: EngineEvent[] = [];
    let stdout = '';
    let stderr = '';
    let buf = '';
    let killScheduled = false;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      stdout += d;
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        let e: EngineEvent;
        try {
          e = JSON.parse(l) as EngineEvent;
        } catch {
          continue;
        }
        events.push(e);
        const delay = !killScheduled ? opts.killWhen?.(e, events) : undefined;
        if (delay !== undefined) {
          killScheduled = true;
          // The CLI runs under `ip netns exec`, which execs node: the child PID is the CLI itself.
          setTimeout(() => child.kill('SIGKILL'), delay);
        }
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => (stderr += d));
    child.on('close', (code, signal) => {
      const result = { code: code ?? (signal === 'SIGKILL' ? 137 : -1), stdout, stderr, events };
      const ms = Date.now() - started;
      // Where a lab file's time goes (K8SHA_LAB_TIMING=1): one line per run of the CLI.
      if (process.env.K8SHA_LAB_TIMING)
        process.stderr.write(
          `lab timing: ${[opts.command ?? 'apply', ...(opts.extra ?? [])].join(' ')} exit ${result.code} in ${ms} ms\n`,
        );
      resolve({ ...result, ms });
    });
  });
}

/**
 * `kubectl get nodes -o json` with the kubeconfig the wizard fetched (its server is the VIP), run by
 * the lab's kubectl on a worker: the request goes through the VIP, haproxy and some apiserver.
 */
export function kubectlNodes(
  state: LabState,
  ws: Workspace,
  clusterName = 'seed-cluster',
): { name: string; ready: boolean; controlPlane: boolean }[] {
  const conf = readFileSync(join(ws.kubeconfigDir, `${clusterName}.conf`), 'utf8');
  const r = labExec(
    state,
    'worker01',
    'cat > /tmp/operator.conf && kubectl --kubeconfig /tmp/operator.conf get nodes -o json',
    conf,
  );
  if (r.code !== 0) throw new Error(`kubectl get nodes failed: ${r.stderr}`);
  const list = JSON.parse(r.stdout) as {
    items: {
      metadata: { name: string; labels: Record<string, string> };
      status: { conditions: { type: string; status: string }[] };
    }[];
  };
  return list.items.map((n) => ({
    name: n.metadata.name,
    ready: n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    controlPlane: 'node-role.kubernetes.io/control-plane' in n.metadata.labels,
  }));
}

/** A kill -9 point for apply's killWhen: `ms` after `step` starts on `node`. */
export const whenStarted = (step: string, node: string, ms: number) => (e: EngineEvent) =>
  e.type === 'step-started' && e.step === step && e.node === node ? ms : undefined;

/** A kill -9 point for apply's killWhen: as soon as `step` finished well (on `node`, when given). */
export const whenFinished = (step: string, node?: string) => (e: EngineEvent) =>
  e.type === 'step-finished' && e.step === step && (!node || e.node === node) && e.status !== 'failed'
    ? 0
    : undefined;

/** A run for an assertion's message: exit code, output tails, notices, failures and the end. */
export function describeRun(r: ApplyResult): string {
  const notable = r.events.filter(
    (e) =>
      e.type === 'notice' ||
      e.type === 'run-finished' ||
      (e.type === 'step-finished' && e.status === 'failed'),
  );
  return `exit ${r.code}\n${r.stdout.slice(-1500)}\n${r.stderr}\n${JSON.stringify(notable, null, 1).slice(-4000)}`;
}

/** kubectl on worker01 with the kubeconfig the tool fetched to this machine (through the VIP). */
export function operatorKubectl(s: LabState, ws: Workspace, cmd: string, input?: string) {
  const conf = readFileSync(join(ws.kubeconfigDir, 'seed-cluster.conf'), 'utf8');
  return labExec(
    s,
    'worker01',
    `cat > /tmp/op.conf <<'EOF'\n${conf}EOF\nkubectl --kubeconfig /tmp/op.conf ${cmd}`,
    input,
  );
}

/** The standard etcdctl command on a control plane, with kubeadm's healthcheck client certificate. */
export const ETCDCTL =
  'ETCDCTL_API=3 etcdctl --endpoints https://127.0.0.1:2379 --cacert /etc/kubernetes/pki/etcd/ca.crt --cert /etc/kubernetes/pki/etcd/healthcheck-client.crt --key /etc/kubernetes/pki/etcd/healthcheck-client.key';

/** The started etcd members, by name, as the lab's real etcdctl on `on` lists them. */
export function etcdMembers(s: LabState, on: string): string[] {
  const r = labExec(s, on, `${ETCDCTL} member list`);
  if (r.code !== 0) throw new Error(`etcdctl member list on ${on}: ${r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => l.split(', '))
    .filter((f) => f[1] === 'started')
    .map((f) => f[2]!)
    .sort();
}

/** The servers haproxy on a control plane sends API traffic to, by name. */
export function haproxyBackends(s: LabState, cp: string): string[] {
  const cfg = labExec(s, cp, 'cat /etc/haproxy/haproxy.cfg').stdout;
  return [...cfg.matchAll(/^\s*server\s+(\S+)/gm)].map((m) => m[1]!).sort();
}

/** What the install left on a host (empty when it is clean). */
export function leftovers(s: LabState, host: string): string {
  return labExec(
    s,
    host,
    [
      'for u in kubelet haproxy keepalived; do systemctl is-active --quiet $u && echo "$u active"; done',
      '[ -e /etc/kubernetes ] && echo /etc/kubernetes',
      '[ -n "$(ls -A /var/lib/etcd 2>/dev/null)" ] && echo etcd-data',
      '[ -n "$(ls -A /etc/cni/net.d 2>/dev/null)" ] && echo cni-config',
      `ip -4 -o addr show | grep -q ' ${s.topology.vip}/' && echo vip`,
      'true',
    ].join('\n'),
  ).stdout.trim();
}

export function initCount(state: LabState): number {
  try {
    return Number(readFileSync(join(state.dir, 'shared', 'store', 'init-count'), 'utf8'));
  } catch {
    return 0;
  }
}

export function statusesOf(r: ApplyResult): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of r.events)
    if (e.type === 'step-finished') (out[e.status] ??= []).push(`${e.node}/${e.step}`);
  return out;
}

/** Every file under a directory (none when it does not exist): what a run wrote on the operator side. */
export function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
  } catch {
    return [];
  }
}

/**
 * A PodDisruptionBudget (minAvailable 1) and the one pod it guards, bound to `node`, as YAML for
 * `kubectl apply -f -`. The pod has a controller, so kubectl drain tries evictions (a bare pod it
 * refuses outright) and the budget holds them.
 */
export function guardedPodYaml(node: string): string {
  return [
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace: 'default' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-1',
        namespace: 'default',
        labels: { app: 'web' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'web',
            uid: '5e7a3c1e-1111-4b1a-9d7e-000000000001',
            controller: true,
          },
        ],
      },
      spec: { nodeName: node, containers: [{ name: 'web', image: 'nginx:1.29' }] },
    },
  ]
    .map((d) => stringify(d))
    .join('---\n');
}
