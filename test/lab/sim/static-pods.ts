// Static pods, as the kubelet runs them: one process per manifest in /etc/kubernetes/manifests,
// started from the manifest's own command line, restarted (with back-off) when it dies, restarted
// when its manifest changes, stopped when its manifest goes. etcd is Debian's real etcd; the
// apiserver is the lab's; kube-vip is the lab's simulator (kube-vip.ts), given the pod's env and
// hostPath mounts; the controller manager and the scheduler are only shown, not run.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { parse } from 'yaml';
import { journal, readIfExists, writeJsonAtomic } from './env.js';

export const MANIFESTS = '/etc/kubernetes/manifests';
export const SIM_BUNDLE = '/usr/local/lib/k8sha-lab/sim.mjs';
const STATE = '/run/k8sha-lab/pods';

export interface StaticPod {
  /** The pod's name as kubeadm names it: the manifest's metadata.name (etcd, kube-apiserver …). */
  name: string;
  hash: string;
  image: string;
  command: string[];
  env: Record<string, string>;
  /** The container's mountPath → the volume's hostPath. */
  mounts: Record<string, string>;
}

interface Running {
  pid: number;
  hash: string;
  startedAt: number;
  restarts: number;
  /** When it may be started again after dying (back-off). */
  notBefore?: number;
}

export function readManifests(): StaticPod[] {
  if (!existsSync(MANIFESTS)) return [];
  const out: StaticPod[] = [];
  for (const f of readdirSync(MANIFESTS)
    .filter((x) => /\.(ya?ml|json)$/.test(x))
    .sort()) {
    const text = readIfExists(`${MANIFESTS}/${f}`) ?? '';
    try {
      const doc = parse(text) as {
        metadata?: { name?: string };
        spec?: {
          containers?: {
            image?: string;
            command?: string[];
            args?: string[];
            env?: { name: string; value?: string }[];
            volumeMounts?: { name: string; mountPath: string }[];
          }[];
          volumes?: { name: string; hostPath?: { path: string } }[];
        };
      };
      const c = doc.spec?.containers?.[0];
      if (!doc.metadata?.name || !c) continue;
      out.push({
        name: doc.metadata.name,
        hash: createHash('sha256').update(text).digest('hex').slice(0, 12),
        image: c.image ?? '',
        command: [...(c.command ?? []), ...(c.args ?? [])],
        env: Object.fromEntries((c.env ?? []).map((e) => [e.name, String(e.value ?? '')])),
        mounts: Object.fromEntries(
          (c.volumeMounts ?? []).flatMap((m) => {
            const hp = doc.spec?.volumes?.find((v) => v.name === m.name)?.hostPath?.path;
            return hp ? [[m.mountPath, hp]] : [];
          }),
        ),
      });
    } catch {
      journal('kubelet', `could not parse static pod manifest ${f}`);
    }
  }
  return out;
}

export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readIfExists(`/proc/${pid}/stat`) ?? '');
  } catch {
    return false;
  }
}

function state(name: string): Running | undefined {
  const t = readIfExists(`${STATE}/${name}.json`);
  return t ? (JSON.parse(t) as Running) : undefined;
}

function save(name: string, r: Running | undefined): void {
  mkdirSync(STATE, { recursive: true });
  if (r) writeJsonAtomic(`${STATE}/${name}.json`, r);
  else rmSync(`${STATE}/${name}.json`, { force: true });
}

/** The image tag, e.g. v1.36.4 of registry.k8s.io/kube-apiserver:v1.36.4. */
export function imageTag(image: string): string {
  return image.slice(image.lastIndexOf(':') + 1);
}

function argvOf(p: StaticPod): string[] | undefined {
  const [cmd, ...args] = p.command;
  if (cmd === 'etcd') return ['/usr/bin/etcd', ...args];
  if (cmd === 'kube-apiserver')
    return [process.execPath, SIM_BUNDLE, 'kube-apiserver', ...args, `--lab-version=${imageTag(p.image)}`];
  if (/(^|\/)kube-vip:[^/]+$/.test(p.image)) return [process.execPath, SIM_BUNDLE, 'kube-vip', ...p.command];
  return undefined; // shown as running; nothing to run in the lab
}

function start(p: StaticPod, restarts: number): void {
  const argv = argvOf(p);
  mkdirSync('/var/log/k8sha-lab/pods', { recursive: true });
  if (!argv) return save(p.name, { pid: 0, hash: p.hash, startedAt: Date.now(), restarts });
  const log = openSync(`/var/log/k8sha-lab/pods/${p.name}.log`, 'a');
  const child = spawn(argv[0]!, argv.slice(1), {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, ...p.env, K8SHA_LAB_MOUNTS: JSON.stringify(p.mounts) },
  });
  child.unref();
  save(p.name, { pid: child.pid!, hash: p.hash, startedAt: Date.now(), restarts });
  journal('kubelet', `started static pod ${p.name} (pid ${child.pid}, manifest ${p.hash})`);
}

export function stopPod(name: string): void {
  const r = state(name);
  if (r?.pid && alive(r.pid)) {
    try {
      process.kill(r.pid, 'SIGTERM');
    } catch {
      // gone already
    }
  }
  save(name, undefined);
  journal('kubelet', `stopped static pod ${name}`);
}

/** Stop now, and be sure it is gone (kubeadm reset, a restore, `crictl rmp`). */
export async function stopPodAndWait(name: string): Promise<void> {
  const pid = state(name)?.pid;
  stopPod(name);
  for (let i = 0; i < 60 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
}

export function knownPods(): string[] {
  return existsSync(STATE) ? readdirSync(STATE).map((f) => f.replace(/\.json$/, '')) : [];
}

/** One pass of the kubelet's static-pod loop. */
export function reconcileStaticPods(): void {
  const want = readManifests();
  const names = new Set(want.map((p) => p.name));
  for (const name of knownPods()) if (!names.has(name)) stopPod(name);
  for (const p of want) {
    const r = state(p.name);
    if (!r) {
      start(p, 0);
      continue;
    }
    if (r.hash !== p.hash) {
      stopPod(p.name);
      start(p, 0);
      continue;
    }
    if (argvOf(p) && !alive(r.pid)) {
      // CrashLoopBackOff: 1 s, 2 s, 4 s … up to 10 s between restarts.
      if (r.notBefore === undefined) {
        save(p.name, { ...r, notBefore: Date.now() + Math.min(10_000, 1000 * 2 ** Math.min(r.restarts, 4)) });
        journal('kubelet', `static pod ${p.name} exited; restarting with back-off`);
      } else if (Date.now() >= r.notBefore) start(p, r.restarts + 1);
    }
  }
}

export function podStatuses(): { name: string; running: boolean; restarts: number; startedAt: number }[] {
  return readManifests().map((p) => {
    const r = state(p.name);
    return {
      name: p.name,
      running: !!r && (!argvOf(p) || alive(r.pid)),
      restarts: r?.restarts ?? 0,
      startedAt: r?.startedAt ?? Date.now(),
    };
  });
}

export function podPid(name: string): number | undefined {
  return state(name)?.pid || undefined;
}
