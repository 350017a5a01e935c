// The simulated kube-apiserver: HTTPS on :6443 with a certificate from the cluster CA, its state in
// the real etcd. It serves what kubeadm, the kubelet stand-in, the simulated kubectl and a real
// kubectl use: discovery, get/list/create/update/patch/delete of any stored kind, server-side
// tables, the eviction, token and status subresources, CSR signing for the kubelet's TLS bootstrap,
// kubeadm's cluster-info, and the health endpoints (/readyz fails when etcd has no quorum).
import { constants, createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { Etcd, type EtcdTls } from '../etcd.js';
import { now } from '../env.js';
import { signCsr } from '../pki.js';
import {
  allowed,
  ANONYMOUS,
  Authenticator,
  signServiceAccountToken,
  tokenSecret,
  tokenValid,
  type User,
} from './auth.js';
import { startControllers } from './controllers.js';
import { evict } from './eviction.js';
import { jsonPatch, mergePatch } from './patch.js';
import { apiVersionOf, BUILTIN, verbs, type Obj, type Resource } from './resources.js';
import { ApiError, notFound, Storage } from './storage.js';
import { fieldSelector, labelSelector, table, withNodeLifecycle } from './views.js';

export interface ApiserverOptions {
  node: string;
  address: string;
  port: number;
  /** gitVersion, e.g. v1.36.4 (from the manifest's image tag). */
  version: string;
  etcdServers: string[];
  etcd: EtcdTls;
  certFile: string;
  keyFile: string;
  clientCaFile: string;
  caKeyFile: string;
  saKeyFile?: string;
  saPubFile?: string;
}

/** kubeadm's cluster-info signature stand-in: HMAC-SHA256 over the kubeconfig, keyed by the token. */
export function jwsFor(kubeconfig: string, tokenId: string, secret: string): string {
  return createHmac('sha256', `${tokenId}.${secret}`).update(kubeconfig).digest('base64url');
}

const ns = (name: string): Obj => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Active' },
});
const NAMESPACE = BUILTIN.find((r) => r.kind === 'Namespace')!;
const SECRET = BUILTIN.find((r) => r.kind === 'Secret')!;
const SA = BUILTIN.find((r) => r.kind === 'ServiceAccount')!;
const CSR = BUILTIN.find((r) => r.kind === 'CertificateSigningRequest')!;

function status(code: number, reason: string, message: string, details?: Record<string, unknown>): unknown {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function parseJson(text: string): Obj {
  try {
    return JSON.parse(text) as Obj;
  } catch {
    throw new ApiError(400, 'BadRequest', 'the body of the request was in an unknown format');
  }
}

interface Route {
  group: string;
  version: string;
  namespace?: string;
  plural?: string;
  name?: string;
  sub?: string;
}

function route(path: string): Route | undefined {
  const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group = '';
  let version: string;
  let rest: string[];
  if (seg[0] === 'api' && seg[1]) {
    version = seg[1];
    rest = seg.slice(2);
  } else if (seg[0] === 'apis' && seg[1] && seg[2]) {
    group = seg[1];
    version = seg[2];
    rest = seg.slice(3);
  } else return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3)
    return { group, version, namespace: rest[1]!, plural: rest[2]!, name: rest[3], sub: rest[4] };
  return { group, version, plural: rest[0], name: rest[1], sub: rest[2] };
}

export class Apiserver {
  readonly storage: Storage;
  private readonly auth: Authenticator;

  constructor(readonly o: ApiserverOptions) {
    this.storage = new Storage(new Etcd(o.etcdServers, o.etcd, 4000));
    const saPub = o.saPubFile ? readFileSync(o.saPubFile, 'utf8') : undefined;
    this.auth = new Authenticator(this.storage, saPub);
  }

  private async discovery(path: string, res: ServerResponse): Promise<boolean> {
    const all = await this.storage.resources();
    const gv = (g: string, v: string) => all.filter((r) => r.group === g && r.version === v);
    const list = (rs: Resource[], groupVersion: string) => ({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion,
      resources: rs.flatMap((r) => [
        {
          name: r.plural,
          singularName: r.singular,
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: verbs(r),
          ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        },
        ...(r.sub ?? []).map((s) => ({
          name: `${r.plural}/${s}`,
          singularName: '',
          namespaced: r.namespaced,
          kind: s === 'eviction' ? 'Eviction' : s === 'token' ? 'TokenRequest' : r.kind,
          verbs: s === 'status' ? ['get', 'patch', 'update'] : ['create'],
          ...(s === 'eviction'
            ? { group: 'policy', version: 'v1' }
            : s === 'token'
              ? { group: 'authentication.k8s.io', version: 'v1' }
              : {}),
        })),
      ]),
    });
    if (path === '/api') {
      send(res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [
          { clientCIDR: '0.0.0.0/0', serverAddress: `${this.o.address}:${this.o.port}` },
        ],
      });
      return true;
    }
    if (path === '/api/v1') {
      send(res, 200, list(gv('', 'v1'), 'v1'));
      return true;
    }
    const groups = [...new Set(all.filter((r) => r.group).map((r) => r.group))];
    if (path === '/apis') {
      send(res, 200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: groups.map((g) => {
          const versions = [...new Set(all.filter((r) => r.group === g).map((r) => r.version))];
          return {
            name: g,
            versions: versions.map((v) => ({ groupVersion: `${g}/${v}`, version: v })),
            preferredVersion: { groupVersion: `${g}/${versions[0]}`, version: versions[0] },
          };
        }),
      });
      return true;
    }
    const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (m && groups.includes(m[1]!)) {
      if (m[2]) send(res, 200, list(gv(m[1]!, m[2]), `${m[1]}/${m[2]}`));
      else {
        const versions = [...new Set(all.filter((r) => r.group === m[1]).map((r) => r.version))];
        send(res, 200, {
          kind: 'APIGroup',
          apiVersion: 'v1',
          name: m[1],
          versions: versions.map((v) => ({ groupVersion: `${m[1]}/${v}`, version: v })),
          preferredVersion: { groupVersion: `${m[1]}/${versions[0]}`, version: versions[0] },
        });
      }
      return true;
    }
    return false;
  }

  private async health(path: string, url: URL, res: ServerResponse): Promise<boolean> {
    if (path === '/livez' || path === '/healthz' || path === '/readyz') {
      // /livez does not depend on etcd; /healthz and /readyz do, as in kube-apiserver.
      const problem = path === '/livez' ? undefined : await this.storage.healthy();
      if (problem)
        send(
          res,
          500,
          `[+]ping ok\n[-]etcd failed: reason withheld\n  etcd: ${problem}\n${path.slice(1)} check failed`,
        );
      else
        send(
          res,
          200,
          url.searchParams.has('verbose') ? `[+]ping ok\n[+]etcd ok\n${path.slice(1)} check passed` : 'ok',
        );
      return true;
    }
    if (path === '/version') {
      const [major, minor] = this.o.version.replace(/^v/, '').split('.');
      send(res, 200, {
        major,
        minor,
        gitVersion: this.o.version,
        goVersion: 'go1.25.3',
        compiler: 'gc',
        platform: 'linux/amd64',
      });
      return true;
    }
    return false;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://x');
    const path = url.pathname.replace(/\/$/, '') || '/';
    if (await this.health(path, url, res)) return;
    const user = await this.auth.who(req);
    if (user === 'invalid') return send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    if (
      path === '/api' ||
      path === '/apis' ||
      (path.startsWith('/api/v1') && path.split('/').length === 3) ||
      /^\/apis\/[^/]+(\/[^/]+)?$/.test(path)
    ) {
      if (user === ANONYMOUS)
        return send(
          res,
          403,
          status(403, 'Forbidden', `forbidden: User "system:anonymous" cannot get path "${path}"`),
        );
      if (await this.discovery(path, res)) return;
    }
    const rt = route(path);
    if (!rt?.plural)
      return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const r = await this.storage.byPath(rt.group, rt.version, rt.plural);
    if (!r)
      return send(
        res,
        404,
        status(404, 'NotFound', `the server could not find the requested resource (${path})`),
      );
    const verb = this.verb(req.method ?? 'GET', rt, url);
    const can = await allowed(
      user,
      {
        verb,
        resource: r,
        ...(rt.namespace ? { namespace: rt.namespace } : {}),
        ...(rt.name ? { name: rt.name } : {}),
        ...(rt.sub ? { sub: rt.sub } : {}),
      },
      this.storage,
    );
    if (!can) {
      const scope = rt.namespace ? `in the namespace "${rt.namespace}"` : 'at the cluster scope';
      return send(
        res,
        403,
        status(
          403,
          'Forbidden',
          `${r.plural}${rt.name ? ` "${rt.name}"` : ''} is forbidden: User "${user.name}" cannot ${verb} resource "${r.plural}${rt.sub ? `/${rt.sub}` : ''}" in API group "${r.group}" ${scope}`,
        ),
      );
    }
    if (verb === 'watch') return this.watch(r, rt, url, req, res);
    const body = ['POST', 'PUT', 'PATCH'].includes(req.method ?? '') ? await readBody(req) : '';
    const out = await this.resource(req, r, rt, verb, body, url, user);
    const code = verb === 'create' ? 201 : 200;
    if (out && (req.headers.accept ?? '').includes('as=Table') && (verb === 'list' || verb === 'get')) {
      const items = verb === 'list' ? (out as { items: Obj[] }).items : [out as Obj];
      const rev = Number((out as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion ?? 0);
      return send(res, 200, table(r, items, rev));
    }
    send(res, code, out);
  }

  private verb(method: string, rt: Route, url: URL): string {
    if (method === 'GET')
      return rt.name ? 'get' : url.searchParams.get('watch') === 'true' ? 'watch' : 'list';
    if (method === 'POST') return rt.sub ? 'create' : 'create';
    if (method === 'PUT') return 'update';
    if (method === 'PATCH') return 'patch';
    if (method === 'DELETE') return rt.name ? 'delete' : 'deletecollection';
    return 'unknown';
  }

  private async resource(
    req: IncomingMessage,
    r: Resource,
    rt: Route,
    verb: string,
    body: string,
    url: URL,
    user: User,
  ): Promise<unknown> {
    const s = this.storage;
    if (r.namespaced && rt.namespace && verb === 'create' && !rt.sub) {
      if (!(await s.get(NAMESPACE, undefined, rt.namespace)))
        throw new ApiError(404, 'NotFound', `namespaces "${rt.namespace}" not found`, {
          name: rt.namespace,
          kind: 'namespaces',
        });
    }
    switch (verb) {
      case 'list': {
        const { items, revision } = await s.list(r, rt.namespace);
        const byLabel = labelSelector(url.searchParams.get('labelSelector'));
        const byField = fieldSelector(url.searchParams.get('fieldSelector'));
        const shown = items
          .map((o) => (r.kind === 'Node' ? withNodeLifecycle(o) : o))
          .filter((o) => byLabel(o.metadata.labels ?? {}) && byField(o));
        return {
          kind: `${r.kind}List`,
          apiVersion: apiVersionOf(r),
          metadata: { resourceVersion: String(revision) },
          items: shown,
        };
      }
      case 'get': {
        if (rt.sub && rt.sub !== 'status')
          throw new ApiError(405, 'MethodNotAllowed', `get is not supported on ${rt.sub}`);
        let o = await s.mustGet(r, rt.namespace, rt.name!);
        if (r.kind === 'Node') o = withNodeLifecycle(o);
        if (r.kind === 'ConfigMap' && rt.namespace === 'kube-public' && rt.name === 'cluster-info')
          o = await this.signClusterInfo(o);
        if (
          r.kind === 'Secret' &&
          o.metadata.annotations?.['lab.k8sha/expires'] &&
          Date.parse(o.metadata.annotations['lab.k8sha/expires']) < now()
        ) {
          await s.delete(r, rt.namespace, rt.name!).catch(() => undefined);
          throw notFound(r, rt.name!);
        }
        return o;
      }
      case 'create': {
        if (rt.sub === 'eviction') return evict(s, rt.namespace!, rt.name!);
        if (rt.sub === 'token' && r.kind === 'ServiceAccount')
          return this.tokenRequest(rt.namespace!, rt.name!, parseJson(body));
        if (rt.sub) throw new ApiError(405, 'MethodNotAllowed', `create is not supported on ${rt.sub}`);
        const o = parseJson(body);
        if (r.kind === 'CertificateSigningRequest') return this.signCsr(o, user);
        return s.create(r, rt.namespace, o);
      }
      case 'update': {
        const o = parseJson(body);
        o.metadata.name ??= rt.name!;
        if (rt.sub === 'status') {
          return s.modify(r, rt.namespace, rt.name!, (cur) => ({ ...cur, status: o.status }));
        }
        return s.update(r, rt.namespace, o, o.metadata.resourceVersion);
      }
      case 'patch': {
        const type = req.headers['content-type'] ?? '';
        const p = JSON.parse(body || '{}');
        return s.modify(r, rt.namespace, rt.name!, (cur) => {
          const next = type.includes('json-patch') ? jsonPatch(cur, p) : mergePatch(cur, p);
          if (rt.sub === 'status') return { ...cur, status: next.status };
          next.metadata.name = cur.metadata.name;
          return next;
        });
      }
      case 'delete': {
        const o = await s.delete(r, rt.namespace, rt.name!);
        if (r.kind === 'Namespace')
          for (const res of await s.resources())
            if (res.namespaced)
              await s.etcd
                .deletePrefix(
                  `/registry/${res.group && !BUILTIN.includes(res) ? `${res.group}/` : ''}${res.plural}/${rt.name}/`,
                )
                .catch(() => 0);
        return o;
      }
      case 'deletecollection': {
        const { items } = await s.list(r, rt.namespace);
        const byLabel = labelSelector(url.searchParams.get('labelSelector'));
        for (const o of items.filter((x) => byLabel(x.metadata.labels ?? {})))
          await s.delete(r, rt.namespace, o.metadata.name);
        return { kind: 'Status', apiVersion: 'v1', status: 'Success' };
      }
    }
    throw new ApiError(405, 'MethodNotAllowed', `${verb} is not supported`);
  }

  /**
   * A watch, served by polling etcd once a second: ADDED for what exists (or what changed since the
   * given resourceVersion), then MODIFIED/DELETED as objects change, until timeoutSeconds or the client
   * goes. Enough for kubectl wait and rollout status; events between polls are folded together.
   */
  private async watch(
    r: Resource,
    rt: Route,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const byLabel = labelSelector(url.searchParams.get('labelSelector'));
    const byField = fieldSelector(url.searchParams.get('fieldSelector'));
    const since = Number(url.searchParams.get('resourceVersion') ?? 0) || 0;
    const until = Date.now() + Math.min(Number(url.searchParams.get('timeoutSeconds') ?? 1800), 1800) * 1000;
    const snapshot = async (): Promise<Map<string, Obj>> => {
      const { items } = await this.storage.list(r, rt.namespace);
      return new Map<string, Obj>(
        items
          .map((o) => (r.kind === 'Node' ? withNodeLifecycle(o) : o))
          .filter((o) => byLabel(o.metadata.labels ?? {}) && byField(o))
          .map((o): [string, Obj] => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]),
      );
    };
    let seen = await snapshot();
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const event = (type: string, object: Obj) => res.write(`${JSON.stringify({ type, object })}\n`);
    const initial = url.searchParams.get('sendInitialEvents') === 'true';
    for (const o of seen.values())
      if (initial || !since || Number(o.metadata.resourceVersion) > since) event('ADDED', o);
    // A streaming list (kubectl 1.35's default) waits for this bookmark before it trusts its cache.
    if (initial) {
      const { revision } = await this.storage.list(r, rt.namespace).catch(() => ({ revision: 0 }));
      event('BOOKMARK', {
        apiVersion: apiVersionOf(r),
        kind: r.kind,
        metadata: {
          name: '',
          resourceVersion: String(revision),
          annotations: { 'k8s.io/initial-events-end': 'true' },
        },
      });
    }
    let closed = false;
    req.on('close', () => (closed = true));
    while (!closed && Date.now() < until) {
      await new Promise((ok) => setTimeout(ok, 1000));
      let now: Map<string, Obj>;
      try {
        now = await snapshot();
      } catch {
        continue; // no quorum right now: the watch stays open, as kube-apiserver's cache would
      }
      for (const [k, o] of now) {
        const before = seen.get(k);
        if (!before) event('ADDED', o);
        else if (JSON.stringify(before) !== JSON.stringify(o)) event('MODIFIED', o);
      }
      for (const [k, o] of seen) if (!now.has(k)) event('DELETED', o);
      seen = now;
    }
    res.end();
  }

  /** The bootstrap signer's work, done at read time: one signature per valid signing token. */
  private async signClusterInfo(cm: Obj): Promise<Obj> {
    const kubeconfig = String(cm.data?.kubeconfig ?? '');
    const { items } = await this.storage.list(SECRET, 'kube-system');
    const data: Record<string, string> = { kubeconfig };
    for (const sec of items) {
      const t = tokenSecret(sec);
      if (t && t.signing && tokenValid(t))
        data[`jws-kubeconfig-${t.id}`] = jwsFor(kubeconfig, t.id, t.secret);
    }
    return { ...cm, data };
  }

  private async tokenRequest(namespace: string, name: string, body: Obj): Promise<unknown> {
    await this.storage.mustGet(SA, namespace, name);
    if (!this.o.saKeyFile) throw new ApiError(500, 'InternalError', 'no service account signing key');
    const seconds = Number(body.spec?.expirationSeconds ?? 3600);
    const t = signServiceAccountToken(readFileSync(this.o.saKeyFile, 'utf8'), namespace, name, seconds);
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: null },
      spec: { ...(body.spec ?? {}), expirationSeconds: seconds },
      status: { token: t.token, expirationTimestamp: t.expires.toISOString().replace(/\.\d+Z$/, 'Z') },
    };
  }

  /** A kubelet's TLS bootstrap: node client certificates requested with a bootstrap token are approved and signed at once. */
  private async signCsr(o: Obj, user: User): Promise<Obj> {
    const pem = Buffer.from(String(o.spec?.request ?? ''), 'base64').toString('utf8');
    const created = await this.storage.create(CSR, undefined, {
      ...o,
      spec: { ...o.spec, username: user.name, groups: user.groups },
    });
    const cert = signCsr(this.o.clientCaFile, this.o.caKeyFile, pem, { client: true });
    if (!cert) throw new ApiError(422, 'Invalid', 'the certificate signing request could not be parsed');
    return this.storage.modify(CSR, undefined, created.metadata.name, (cur) => ({
      ...cur,
      status: {
        conditions: [
          {
            type: 'Approved',
            status: 'True',
            reason: 'AutoApproved',
            message: 'Auto approving kubelet client certificate after SubjectAccessReview.',
          },
        ],
        certificate: Buffer.from(cert).toString('base64'),
      },
    }));
  }

  /** The namespaces every cluster has, made once etcd answers. */
  async ensureNamespaces(): Promise<void> {
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      if (!(await this.storage.get(NAMESPACE, undefined, name)))
        await this.storage.create(NAMESPACE, undefined, ns(name)).catch(() => undefined);
    }
  }

  listen(): void {
    const server = createServer(
      {
        cert: readFileSync(this.o.certFile),
        key: readFileSync(this.o.keyFile),
        ca: readFileSync(this.o.clientCaFile),
        requestCert: true,
        rejectUnauthorized: false,
        // No session tickets: every connection shows its client certificate (resumed ones may not).
        secureOptions: constants.SSL_OP_NO_TICKET,
      },
      (req, res) => {
        this.handle(req, res).catch((e: unknown) => {
          if (e instanceof ApiError)
            return send(res, e.status, status(e.status, e.reason, e.message, e.details));
          send(res, 500, status(500, 'InternalError', (e as Error).message));
        });
      },
    );
    server.keepAliveTimeout = 30_000;
    server.listen(this.o.port, '0.0.0.0', () => {
      writeFileSync('/run/k8sha-lab/apiserver.pid', String(process.pid));
      process.stdout.write(
        `lab apiserver for ${this.o.node} (${this.o.version}) listening on :${this.o.port}\n`,
      );
    });
    const boot = async (): Promise<void> => {
      try {
        await this.ensureNamespaces();
      } catch {
        setTimeout(() => void boot(), 1000).unref();
      }
    };
    void boot();
    startControllers(this.storage, this.o.node);
  }
}
