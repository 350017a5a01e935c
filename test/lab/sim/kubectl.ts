// kubectl against the simulated apiserver, verifying TLS with the kubeconfig's CA: get nodes
// (plain, wide, json), apply -f, get pods -A, wait, cluster-info, get --raw, create token.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { fetchFixture } from './curl.js';
import { fail, out } from './env.js';
import { dialError, https } from './http.js';
import { readKubeconfig, resolveKubeconfig, type Credentials } from './kubeconfig.js';
import { installedPackages } from './packages.js';

interface Node {
  metadata: { name: string; labels: Record<string, string>; creationTimestamp: string };
  status: {
    conditions: { type: string; status: string }[];
    addresses: { type: string; address: string }[];
    nodeInfo: {
      kubeletVersion: string;
      containerRuntimeVersion: string;
      osImage: string;
      kernelVersion: string;
    };
  };
}

interface Flags {
  kubeconfig?: string;
  namespace?: string;
  allNamespaces: boolean;
  output?: string;
  files: string[];
  rest: string[];
  forCondition?: string;
  timeoutMs: number;
  all: boolean;
  duration?: string;
}

function parseFlags(argv: string[]): Flags {
  const f: Flags = { allNamespaces: false, files: [], rest: [], timeoutMs: 30_000, all: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]!);
    if (a === '--kubeconfig' || a.startsWith('--kubeconfig=')) f.kubeconfig = val();
    else if (a === '-n' || a === '--namespace' || a.startsWith('--namespace=')) f.namespace = val();
    else if (a === '-A' || a === '--all-namespaces') f.allNamespaces = true;
    else if (a === '-o' || a === '--output' || a.startsWith('--output=') || a.startsWith('-o'))
      f.output = a.startsWith('-o') && a.length > 2 && !a.startsWith('-o=') ? a.slice(2) : val();
    else if (a === '-f' || a === '--filename' || a.startsWith('--filename=')) f.files.push(val());
    else if (a.startsWith('--for=') || a === '--for') f.forCondition = val();
    else if (a.startsWith('--timeout=') || a === '--timeout') f.timeoutMs = durationMs(val());
    else if (a === '--all') f.all = true;
    else if (a.startsWith('--duration=') || a === '--duration') f.duration = val();
    else if (a === '--raw') f.rest.push('--raw', argv[++i]!);
    else f.rest.push(a);
  }
  return f;
}

function durationMs(s: string): number {
  let ms = 0;
  for (const [, n, u] of s.matchAll(/(\d+)(ms|h|m|s)/g))
    ms += Number(n) * (u === 'h' ? 3600e3 : u === 'm' ? 60e3 : u === 's' ? 1e3 : 1);
  return ms || Number(s) * 1000 || 30_000;
}

function credentials(f: Flags): Credentials {
  const path = resolveKubeconfig(f.kubeconfig);
  if (!path)
    fail(
      1,
      'E1127 00:00:00.000000 memcache.go:265] couldn\'t get current server API group list: Get "http://localhost:8080/api?timeout=32s": dial tcp [::1]:8080: connect: connection refused\nThe connection to the server localhost:8080 was refused - did you specify the right host or port?',
    );
  try {
    return readKubeconfig(path);
  } catch (e) {
    fail(1, `error: error loading config file "${path}": ${(e as Error).message}`);
  }
}

async function api(c: Credentials, path: string, body?: unknown): Promise<string> {
  const url = `${c.server}${path}`;
  let r;
  try {
    r = await https(url, {
      ca: c.ca,
      cert: c.cert,
      key: c.key,
      token: c.token,
      ...(body !== undefined ? { body } : {}),
    });
  } catch (e) {
    fail(1, `Unable to connect to the server: ${dialError(c.server, e)}`);
  }
  if (r.status === 401 || r.status === 403)
    fail(1, `error: You must be logged in to the server (Unauthorized)`);
  if (r.status >= 500) fail(1, `Error from server: ${r.body.replace(/^\{.*"message":"([^"]+)".*$/, '$1')}`);
  if (r.status >= 400) fail(1, `Error from server (NotFound): ${r.body}`);
  return r.body;
}

function age(ts: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(ts)) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join(''))
    .join('\n');
}

function ready(n: Node): boolean {
  return n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

async function getNodes(c: Credentials, f: Flags, name?: string): Promise<void> {
  const list = JSON.parse(await api(c, '/api/v1/nodes')) as { items: Node[] };
  if (name) {
    list.items = list.items.filter((n) => n.metadata.name === name);
    if (list.items.length === 0) fail(1, `Error from server (NotFound): nodes "${name}" not found`);
  }
  if (f.output === 'json') return out(JSON.stringify(list, null, 4));
  if (f.output === 'name') return out(list.items.map((n) => `node/${n.metadata.name}`).join('\n'));
  const wide = f.output === 'wide';
  const header = [
    'NAME',
    'STATUS',
    'ROLES',
    'AGE',
    'VERSION',
    ...(wide ? ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'] : []),
  ];
  const rows = list.items.map((n) => [
    n.metadata.name,
    ready(n) ? 'Ready' : 'NotReady',
    'node-role.kubernetes.io/control-plane' in n.metadata.labels ? 'control-plane' : '<none>',
    age(n.metadata.creationTimestamp),
    n.status.nodeInfo.kubeletVersion,
    ...(wide
      ? [
          n.status.addresses.find((a) => a.type === 'InternalIP')!.address,
          '<none>',
          n.status.nodeInfo.osImage,
          n.status.nodeInfo.kernelVersion,
          n.status.nodeInfo.containerRuntimeVersion,
        ]
      : []),
  ]);
  out(table([header, ...rows]));
}

async function getPods(c: Credentials, f: Flags): Promise<void> {
  const pods = JSON.parse(await api(c, '/lab/pods')) as {
    namespace: string;
    name: string;
    node: string;
    ready: boolean;
    status: string;
  }[];
  const shown = f.allNamespaces ? pods : pods.filter((p) => p.namespace === (f.namespace ?? 'default'));
  if (shown.length === 0) return out(`No resources found in ${f.namespace ?? 'default'} namespace.`);
  const rows = shown.map((p) => [
    ...(f.allNamespaces ? [p.namespace] : []),
    p.name,
    p.ready ? '1/1' : '0/1',
    p.status,
    '0',
    '5m',
    ...(f.output === 'wide' ? [p.node] : []),
  ]);
  out(
    table([
      [
        ...(f.allNamespaces ? ['NAMESPACE'] : []),
        'NAME',
        'READY',
        'STATUS',
        'RESTARTS',
        'AGE',
        ...(f.output === 'wide' ? ['NODE'] : []),
      ],
      ...rows,
    ]),
  );
}

const KIND_ALIASES: Record<string, string> = {
  ds: 'DaemonSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  deploy: 'Deployment',
  deployment: 'Deployment',
  deployments: 'Deployment',
  sa: 'ServiceAccount',
  serviceaccount: 'ServiceAccount',
  cm: 'ConfigMap',
  configmap: 'ConfigMap',
  svc: 'Service',
  service: 'Service',
  ns: 'Namespace',
  namespace: 'Namespace',
};

async function getObjects(c: Credentials, f: Flags, kindArg: string, name?: string): Promise<void> {
  const kind = KIND_ALIASES[kindArg.toLowerCase()];
  if (!kind) fail(1, `error: the server doesn't have a resource type "${kindArg}"`);
  const objs = (
    JSON.parse(await api(c, '/lab/objects')) as { kind: string; name: string; namespace?: string }[]
  ).filter(
    (o) =>
      o.kind === kind &&
      (kind === 'Namespace' || f.allNamespaces || (o.namespace ?? 'default') === (f.namespace ?? 'default')),
  );
  const hits = name ? objs.filter((o) => o.name === name) : objs;
  if (name && hits.length === 0)
    fail(
      1,
      `Error from server (NotFound): ${kind.toLowerCase()}s${kind === 'DaemonSet' || kind === 'Deployment' ? '.apps' : ''} "${name}" not found`,
    );
  out(table([['NAME', 'AGE'], ...hits.map((o) => [o.name, '5m'])]));
}

async function readManifest(src: string): Promise<string> {
  if (/^https?:\/\//.test(src)) {
    const fx = fetchFixture(src);
    if (fx === 'offline')
      fail(
        1,
        `error: unable to read URL "${src}", server reported Get "${src}": dial tcp: lookup ${new URL(src).hostname}: no such host`,
      );
    if (fx.status >= 400)
      fail(
        1,
        `error: unable to read URL "${src}", server reported ${fx.status} Not Found, status code=${fx.status}`,
      );
    return fx.body;
  }
  if (src === '-') return readFileSync(0, 'utf8');
  try {
    return readFileSync(src, 'utf8');
  } catch {
    fail(1, `error: the path "${src}" does not exist`);
  }
}

const GROUPS: Record<string, string> = {
  DaemonSet: 'apps',
  Deployment: 'apps',
  ClusterRoleBinding: 'rbac.authorization.k8s.io',
  ClusterRole: 'rbac.authorization.k8s.io',
  CustomResourceDefinition: 'apiextensions.k8s.io',
};

async function apply(c: Credentials, f: Flags): Promise<void> {
  if (f.files.length === 0) fail(1, 'error: must specify one of -f and -k');
  const objects: { apiVersion: string; kind: string; name: string; namespace?: string; hash: string }[] = [];
  for (const src of f.files) {
    const text = await readManifest(src);
    for (const d of parseAllDocuments(text)) {
      if (d.errors.length) fail(1, `error: error parsing ${src}: ${d.errors[0]!.message}`);
      const o = d.toJS() as {
        apiVersion?: string;
        kind?: string;
        metadata?: { name?: string; namespace?: string };
      } | null;
      if (!o) continue;
      if (!o.kind || !o.apiVersion)
        fail(
          1,
          `error: error validating "${src}": error validating data: [apiVersion not set, kind not set]`,
        );
      if (!o.metadata?.name)
        fail(
          1,
          `error: error when retrieving current configuration of ${o.kind}: resource name may not be empty`,
        );
      const namespaced = ![
        'Namespace',
        'ClusterRole',
        'ClusterRoleBinding',
        'CustomResourceDefinition',
      ].includes(o.kind);
      objects.push({
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.metadata.name,
        ...(namespaced ? { namespace: o.metadata.namespace ?? f.namespace ?? 'default' } : {}),
        hash: createHash('sha256').update(JSON.stringify(o)).digest('hex'),
      });
    }
  }
  const verbs = JSON.parse(await api(c, '/lab/apply', { objects })) as string[];
  objects.forEach((o, i) =>
    out(`${o.kind.toLowerCase()}${GROUPS[o.kind] ? `.${GROUPS[o.kind]}` : ''}/${o.name} ${verbs[i]}`),
  );
}

async function wait(c: Credentials, f: Flags): Promise<void> {
  const target = f.rest[1];
  const cond = (f.forCondition ?? '').toLowerCase();
  if (cond !== 'condition=ready') fail(1, `lab kubectl: wait supports --for=condition=Ready only`);
  const deadline = Date.now() + f.timeoutMs;
  for (;;) {
    if (target?.startsWith('node')) {
      const list = JSON.parse(await api(c, '/api/v1/nodes')) as { items: Node[] };
      const name = target.includes('/') ? target.split('/')[1] : undefined;
      const subject = name ? list.items.filter((n) => n.metadata.name === name) : list.items;
      if (name && subject.length === 0) fail(1, `Error from server (NotFound): nodes "${name}" not found`);
      const notReady = subject.filter((n) => !ready(n));
      if (notReady.length === 0)
        return out(subject.map((n) => `node/${n.metadata.name} condition met`).join('\n'));
      if (Date.now() > deadline)
        fail(1, `error: timed out waiting for the condition on nodes/${notReady[0]!.metadata.name}`);
    } else if (target?.startsWith('pod')) {
      const pods = (
        JSON.parse(await api(c, '/lab/pods')) as { namespace: string; name: string; ready: boolean }[]
      ).filter((p) => f.allNamespaces || p.namespace === (f.namespace ?? 'default'));
      const notReady = pods.filter((p) => !p.ready);
      if (notReady.length === 0) return out(pods.map((p) => `pod/${p.name} condition met`).join('\n'));
      if (Date.now() > deadline)
        fail(1, `error: timed out waiting for the condition on pods/${notReady[0]!.name}`);
    } else fail(1, `lab kubectl: wait supports nodes and pods`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function kubectl(argv: string[]): Promise<void> {
  const pkg = installedPackages().kubectl;
  if (!pkg) fail(127, 'bash: line 1: kubectl: command not found');
  const f = parseFlags(argv);
  const [verb, what, name] = f.rest;
  if (verb === 'version' && argv.includes('--client'))
    return out(`Client Version: v${pkg.version}\nKustomize Version: v5.7.1`);
  const c = credentials(f);
  switch (verb) {
    case 'get':
      if (what === '--raw') return out(await api(c, name!));
      if (what === 'nodes' || what === 'node' || what === 'no') return getNodes(c, f, name);
      if (what === 'pods' || what === 'pod' || what === 'po') return getPods(c, f);
      return getObjects(c, f, what ?? '', name);
    case 'apply':
      return apply(c, f);
    case 'wait':
      return wait(c, f);
    case 'cluster-info':
      out(
        `Kubernetes control plane is running at ${c.server}\nCoreDNS is running at ${c.server}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.`,
      );
      return;
    case 'version': {
      const v = JSON.parse(await api(c, '/version')) as { gitVersion: string };
      return out(
        `Client Version: v${pkg.version}\nKustomize Version: v5.7.1\nServer Version: ${v.gitVersion}`,
      );
    }
    case 'create':
      if (what === 'token' && name) {
        const objs = JSON.parse(await api(c, '/lab/objects')) as {
          kind: string;
          name: string;
          namespace?: string;
        }[];
        if (
          !objs.some(
            (o) =>
              o.kind === 'ServiceAccount' && o.name === name && o.namespace === (f.namespace ?? 'default'),
          )
        )
          fail(1, `error: failed to create token: serviceaccounts "${name}" not found`);
        return out(
          `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: `system:serviceaccount:${f.namespace}:${name}`, lab: true })).toString('base64url')}.${randomBytes(24).toString('base64url')}`,
        );
      }
      return fail(1, `lab kubectl: create ${what ?? ''} is not simulated`);
    default:
      fail(
        1,
        `lab kubectl: "${verb ?? ''}" is not simulated (get, apply, wait, cluster-info, version, create token)`,
      );
  }
}
