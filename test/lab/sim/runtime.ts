// containerd, crictl and kubelet as commands (their services are in units.ts).
import { createHash } from 'node:crypto';
import { commandNotFound, fail, host, out, readIfExists } from './env.js';
import { installedPackages } from './packages.js';
import { podStatuses, readManifests, stopPodAndWait } from './static-pods.js';
import { unitStatus } from './units.js';

export function containerd(argv: string[]): void {
  const p = installedPackages()['containerd.io'];
  if (!p) commandNotFound('containerd');
  if (argv[0] === '--version' || argv[0] === '-v')
    return out(`containerd containerd.io ${p.version} lab0000000000000000000000000000000000000`);
  if (argv[0] === 'config' && argv[1] === 'default')
    return out(
      `version = 3\n\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\n  SystemdCgroup = ${p.version.startsWith('2.0') || p.version.startsWith('2.1') ? '' : 'false'}\n`.replace(
        'SystemdCgroup = \n',
        '',
      ),
    );
  fail(1, 'lab containerd: only --version and config default are simulated');
}

export async function crictl(argv: string[]): Promise<void> {
  if (!installedPackages()['cri-tools']) commandNotFound('crictl');
  const up = unitStatus('containerd').active === 'active';
  const conf = readIfExists('/etc/containerd/config.toml') ?? '';
  if (!up)
    fail(
      1,
      'E1127 validate service connection: validate CRI v1 runtime API for endpoint "unix:///run/containerd/containerd.sock": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix /run/containerd/containerd.sock: connect: no such file or directory"',
    );
  if (/disabled_plugins\s*=\s*\[[^\]]*"cri"/.test(conf))
    fail(
      1,
      'E1127 validate service connection: validate CRI v1 runtime API for endpoint "unix:///run/containerd/containerd.sock": rpc error: code = Unimplemented desc = unknown service runtime.v1.RuntimeService',
    );
  const sandbox =
    /sandbox(?:_image)?\s*=\s*['"]([^'"]+)['"]/.exec(conf)?.[1] ?? 'registry.k8s.io/pause:3.10.2';
  if (argv[0] === 'info')
    return out(
      JSON.stringify(
        {
          status: {
            conditions: [
              { type: 'RuntimeReady', status: true },
              { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady' },
            ],
          },
          config: {
            sandboxImage: sandbox,
            containerd: {
              runtimes: { runc: { options: { SystemdCgroup: /SystemdCgroup\s*=\s*true/.test(conf) } } },
            },
          },
        },
        null,
        2,
      ),
    );
  if (argv[0] === 'version')
    return out(
      `Version:  0.1.0\nRuntimeName:  containerd\nRuntimeVersion:  ${installedPackages()['containerd.io']?.version ?? '?'}\nRuntimeApiVersion:  v1`,
    );
  if (argv[0] === 'pods' && argv.includes('--quiet')) return out(staticPodIds(argv).join('\n'));
  if (argv[0] === 'rmp' || argv[0] === 'stopp') {
    // The pod's process stops; the kubelet starts it again from its manifest, as with a real runtime.
    const ids = argv.filter((a) => !a.startsWith('-')).slice(1);
    for (const id of ids) {
      const name = staticPodName(id);
      if (name) await stopPodAndWait(name);
      out(`${argv[0] === 'rmp' ? 'Removed' : 'Stopped'} sandbox ${id}`);
    }
    return;
  }
  // Containers of the running static pods: a new id each time the kubelet (re)starts one.
  if (argv[0] === 'ps' && (argv.includes('-q') || argv.includes('--quiet')))
    return out(
      staticContainers(argv)
        .map((c) => c.id)
        .join('\n'),
    );
  if (argv[0] === 'ps')
    return out(
      [
        'CONTAINER           IMAGE               CREATED             STATE               NAME',
        ...staticContainers(argv).map((c) => `${c.id}       ${c.name}    Running             ${c.name}`),
      ].join('\n'),
    );
  if (argv[0] === 'pods' || argv[0] === 'images')
    return out('CONTAINER           IMAGE               CREATED             STATE               NAME');
  fail(1, `lab crictl: ${argv[0] ?? ''} is not simulated`);
}

export function kubelet(argv: string[]): void {
  const p = installedPackages().kubelet;
  if (!p) commandNotFound('kubelet');
  if (argv[0] === '--version') return out(`Kubernetes v${p.version}`);
  fail(1, 'lab kubelet: runs only as the simulated kubelet service (systemctl)');
}

function sandboxId(name: string): string {
  return createHash('sha256').update(`${name}-${host().name}`).digest('hex').slice(0, 13);
}

function staticPodName(id: string): string | undefined {
  return readManifests().find((p) => sandboxId(p.name) === id)?.name;
}

/** The running static pods whose name (as `named` spells it) matches `--name REGEX`, if given. */
function runningPods(argv: string[], named: (pod: string) => string) {
  const i = argv.indexOf('--name');
  const pattern = i >= 0 && argv[i + 1] ? new RegExp(argv[i + 1]!) : undefined;
  return podStatuses().filter((p) => p.running && (!pattern || pattern.test(named(p.name))));
}

/** Containers match on the container name; a new id each time the kubelet starts the pod. */
function staticContainers(argv: string[]): { id: string; name: string }[] {
  return runningPods(argv, (n) => n).map((p) => ({
    id: createHash('sha256').update(`${p.name}-${host().name}-${p.startedAt}`).digest('hex').slice(0, 13),
    name: p.name,
  }));
}

/** Sandbox ids of the static pods the kubelet runs, filtered like `--name REGEX`. */
function staticPodIds(argv: string[]): string[] {
  return runningPods(argv, (n) => `${n}-${host().name}`).map((p) => sandboxId(p.name));
}
