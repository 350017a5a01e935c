// The simulated kube-apiserver: HTTPS on :6443 with a certificate from the cluster CA. Public
// health endpoints, kubeadm's discovery and bootstrap, and just enough API for kubectl. All state
// is in the shared store, so every control plane answers the same.
import { createHash, createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { now } from './env.js';
import { kubeconfigText } from './kubeconfig.js';
import {
  dropMember,
  heartbeat,
  quorum,
  readCluster,
  updateCluster,
  validTokens,
  type Cluster,
  type StoredObject,
} from './store.js';

export const APISERVER_CONFIG = '/etc/kubernetes/lab-apiserver.json';
export const CERT_TTL_MS = 2 * 3600 * 1000;

export interface ApiserverConfig {
  node: string;
  address: string;
  port: number;
}

export function jwsFor(kubeconfig: string, tokenId: string, secret: string): string {
  return createHmac('sha256', `${tokenId}.${secret}`).update(kubeconfig).digest('base64url');
}

/** The cluster-info ConfigMap kubeadm join reads anonymously: CA + server, signed per token. */
export function clusterInfo(c: Cluster): { kubeconfig: string; signatures: Record<string, string> } {
  const kubeconfig = kubeconfigText('', '', { server: `https://${c.endpoint}`, ca: c.caCertPem });
  const signatures: Record<string, string> = {};
  for (const t of validTokens(c)) signatures[`jws-kubeconfig-${t.id}`] = jwsFor(kubeconfig, t.id, t.secret);
  return { kubeconfig, signatures };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (d: Buffer) => (data += d.toString()));
    req.on('end', () => {
      try {
        resolve(data ? JSON.parse(data) : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}

function bearer(req: IncomingMessage, c: Cluster): boolean {
  const m = /^Bearer ([a-z0-9]{6})\.([a-z0-9]{16})$/.exec(req.headers.authorization ?? '');
  return !!m && validTokens(c).some((t) => t.id === m[1] && t.secret === m[2]);
}

function isAdmin(req: IncomingMessage): boolean {
  return (req.socket as TLSSocket).authorized === true;
}

function podsOf(
  c: Cluster,
): { namespace: string; name: string; node: string; ready: boolean; status: string }[] {
  const pods: { namespace: string; name: string; node: string; ready: boolean; status: string }[] = [];
  const cni = !!c.cni;
  const suffix = (s: string) =>
    createHash('sha256')
      .update(s)
      .digest('hex')
      .replace(/[0-9]/g, (d) => 'bcdfghjklm'[Number(d)]!)
      .slice(0, 5);
  for (const n of Object.values(c.nodes)) {
    if (n.role === 'control-plane') {
      for (const comp of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'])
        pods.push({
          namespace: 'kube-system',
          name: `${comp}-${n.name}`,
          node: n.name,
          ready: true,
          status: 'Running',
        });
    }
    pods.push({
      namespace: 'kube-system',
      name: `kube-proxy-${suffix(n.name)}`,
      node: n.name,
      ready: true,
      status: 'Running',
    });
    if (cni)
      pods.push({
        namespace: 'kube-system',
        name: `calico-node-${suffix(`c${n.name}`)}`,
        node: n.name,
        ready: true,
        status: 'Running',
      });
  }
  const first = Object.values(c.nodes)[0]?.name ?? '';
  for (const i of [1, 2])
    pods.push({
      namespace: 'kube-system',
      name: `coredns-7c65d6cfc9-${['h2x9k', 'q7m4z'][i - 1]}`,
      node: cni ? first : '<none>',
      ready: cni,
      status: cni ? 'Running' : 'Pending',
    });
  if (cni)
    pods.push({
      namespace: 'kube-system',
      name: 'calico-kube-controllers-6d9f8b7c5-lab01',
      node: first,
      ready: true,
      status: 'Running',
    });
  for (const o of c.objects.filter((x) => x.kind === 'Deployment' && x.namespace !== 'kube-system')) {
    pods.push({
      namespace: o.namespace ?? 'default',
      name: `${o.name}-5f7d8c9b4-lab01`,
      node: first,
      ready: cni,
      status: cni ? 'Running' : 'Pending',
    });
  }
  return pods;
}

function nodesJson(c: Cluster): unknown {
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: Object.values(c.nodes).map((n) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: n.name,
        labels: {
          'kubernetes.io/hostname': n.name,
          ...(n.role === 'control-plane' ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
        },
        creationTimestamp: new Date(n.joinedAt).toISOString(),
      },
      spec:
        n.role === 'control-plane'
          ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }
          : {},
      status: {
        conditions: [
          {
            type: 'Ready',
            status: c.cni ? 'True' : 'False',
            reason: c.cni ? 'KubeletReady' : 'KubeletNotReady',
            message: c.cni
              ? 'kubelet is posting ready status'
              : 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
          },
        ],
        addresses: [
          { type: 'InternalIP', address: n.address },
          { type: 'Hostname', address: n.name },
        ],
        nodeInfo: {
          kubeletVersion: n.kubeletVersion,
          containerRuntimeVersion: n.containerRuntime,
          osImage: n.os,
          kernelVersion: '6.8.0-lab',
          kubeProxyVersion: n.kubeletVersion,
        },
      },
    })),
  };
}

async function handle(cfg: ApiserverConfig, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://x');
  const c = readCluster();
  if (!c) return send(res, 503, 'etcdserver: cluster is gone (kubeadm reset?)');
  const q = quorum(c);
  switch (url.pathname) {
    case '/healthz':
    case '/livez':
      return send(res, 200, 'ok');
    case '/readyz': {
      if (!q.ok)
        return send(
          res,
          500,
          `[-]etcd failed: reason withheld\n  only ${q.alive.length} of ${q.members.length} etcd members are up (${q.alive.join(', ') || 'none'})\nreadyz check failed`,
        );
      return send(
        res,
        200,
        url.searchParams.has('verbose')
          ? `[+]ping ok\n[+]etcd ok (${q.alive.length}/${q.members.length} members: ${q.alive.join(', ')})\nreadyz check passed`
          : 'ok',
      );
    }
    case '/version': {
      const [major, minor] = c.kubernetesVersion.replace(/^v/, '').split('.');
      return send(res, 200, {
        major,
        minor,
        gitVersion: c.kubernetesVersion,
        platform: 'linux/amd64',
        lab: `simulated apiserver on ${cfg.node}`,
      });
    }
    case '/api/v1/namespaces/kube-public/configmaps/cluster-info': {
      const info = clusterInfo(c);
      return send(res, 200, {
        kind: 'ConfigMap',
        metadata: { name: 'cluster-info', namespace: 'kube-public' },
        data: { kubeconfig: info.kubeconfig, ...info.signatures },
      });
    }
  }
  if (!q.ok)
    return send(res, 500, {
      kind: 'Status',
      status: 'Failure',
      message: 'etcdserver: request timed out',
      code: 500,
    });

  // Bootstrap-token endpoints (kubeadm join).
  if (url.pathname === '/lab/bootstrap' || url.pathname === '/lab/kubeadm-certs') {
    if (!bearer(req, c) && !isAdmin(req))
      return send(res, 401, { kind: 'Status', status: 'Failure', message: 'Unauthorized', code: 401 });
    if (url.pathname === '/lab/kubeadm-certs') {
      const u = c.uploadedCerts;
      if (!u || now() - u.uploadedAt > CERT_TTL_MS) return send(res, 404, { reason: 'NotFound' });
      if (u.keyHash !== req.headers['x-certificate-key-hash']) return send(res, 403, { reason: 'BadKey' });
      return send(res, 200, {
        caCertPem: u.caCertPem,
        caKeyPem: u.caKeyPem,
        certSANs: c.certSANs,
        clusterName: c.clusterName,
        dnsDomain: c.dnsDomain,
        serviceSubnet: c.serviceSubnet,
      });
    }
    const body = (await readBody(req)) as {
      name: string;
      role: 'control-plane' | 'worker';
      address: string;
      os: string;
      kubeletVersion: string;
      containerRuntime: string;
    };
    const result = updateCluster((cl) => {
      if (!cl) return { cluster: cl, result: { status: 503, message: 'gone' } };
      if (cl.nodes[body.name])
        return {
          cluster: cl,
          result: {
            status: 409,
            message: `a Node with name "${body.name}" and status "Ready" already exists in the cluster. You must delete the existing Node or change the name of this new joining Node`,
          },
        };
      cl.nodes[body.name] = { ...body, joinedAt: now() };
      return { cluster: cl, result: { status: 201, message: 'created' } };
    });
    return send(res, result.status, result);
  }

  if (!isAdmin(req))
    return send(res, 403, {
      kind: 'Status',
      status: 'Failure',
      message: `forbidden: User "system:anonymous" cannot get path "${url.pathname}"`,
      reason: 'Forbidden',
      code: 403,
    });
  const body =
    req.method === 'POST' || req.method === 'DELETE'
      ? ((await readBody(req)) as Record<string, unknown>)
      : undefined;
  switch (url.pathname) {
    case '/api/v1/nodes':
      return send(res, 200, nodesJson(c));
    case '/lab/pods':
      return send(res, 200, podsOf(c));
    case '/lab/objects':
      return send(res, 200, c.objects);
    case '/lab/cluster':
      return send(res, 200, {
        clusterName: c.clusterName,
        endpoint: c.endpoint,
        caCertHash: c.caCertHash,
        kubernetesVersion: c.kubernetesVersion,
        tokens: c.tokens.map((t) => ({ id: t.id, expiresAt: t.expiresAt })),
        uploadedAt: c.uploadedCerts?.uploadedAt,
      });
    case '/lab/tokens': {
      const t = body as { id: string; secret: string; ttlMs: number; description?: string };
      updateCluster((cl) => {
        cl!.tokens = cl!.tokens.filter((x) => x.id !== t.id && x.expiresAt > now());
        cl!.tokens.push({
          id: t.id,
          secret: t.secret,
          expiresAt: t.ttlMs > 0 ? now() + t.ttlMs : Number.MAX_SAFE_INTEGER,
          ...(t.description ? { description: t.description } : {}),
        });
        return { cluster: cl, result: null };
      });
      return send(res, 201, { ok: true });
    }
    case '/lab/upload-certs': {
      const u = body as { keyHash: string; caCertPem: string; caKeyPem: string };
      updateCluster((cl) => {
        cl!.uploadedCerts = { ...u, uploadedAt: now() };
        return { cluster: cl, result: null };
      });
      return send(res, 201, { ok: true });
    }
    case '/lab/apply': {
      const objs = (body as { objects: StoredObject[] }).objects;
      const results = updateCluster((cl) => {
        const out: string[] = [];
        for (const o of objs) {
          const i = cl!.objects.findIndex(
            (x) => x.kind === o.kind && x.name === o.name && (x.namespace ?? '') === (o.namespace ?? ''),
          );
          const verb = i < 0 ? 'created' : cl!.objects[i]!.hash === o.hash ? 'unchanged' : 'configured';
          if (i < 0) cl!.objects.push(o);
          else cl!.objects[i] = o;
          if (o.kind === 'DaemonSet' && o.name === 'calico-node') cl!.cni = 'calico';
          out.push(verb);
        }
        return { cluster: cl, result: out };
      });
      return send(res, 200, results);
    }
  }
  if (url.pathname.startsWith('/lab/nodes/') && req.method === 'DELETE') {
    const name = decodeURIComponent(url.pathname.slice('/lab/nodes/'.length));
    updateCluster((cl) => {
      if (cl) delete cl.nodes[name];
      return { cluster: cl, result: null };
    });
    return send(res, 200, { ok: true });
  }
  send(res, 404, {
    kind: 'Status',
    status: 'Failure',
    message: `the server could not find the requested resource (${url.pathname})`,
    code: 404,
  });
}

export function runApiserver(configPath: string): void {
  const cfg = JSON.parse(readFileSync(configPath, 'utf8')) as ApiserverConfig;
  const server = createServer(
    {
      cert: readFileSync('/etc/kubernetes/pki/apiserver.crt'),
      key: readFileSync('/etc/kubernetes/pki/apiserver.key'),
      ca: readFileSync('/etc/kubernetes/pki/ca.crt'),
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      handle(cfg, req, res).catch((e: Error) => send(res, 500, e.message));
    },
  );
  server.listen(cfg.port, '0.0.0.0', () => {
    writeFileSync('/run/k8sha-lab/apiserver.pid', String(process.pid));
    process.stdout.write(`lab apiserver for ${cfg.node} listening on :${cfg.port}\n`);
  });
  heartbeat(cfg.node);
  setInterval(() => heartbeat(cfg.node), 1000).unref();
  const stop = () => {
    dropMember(cfg.node);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
