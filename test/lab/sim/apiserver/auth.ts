// Who is asking, and may they: client certificates signed by the cluster CA (CN = user, O = groups),
// bootstrap tokens (kube-system/bootstrap-token-<id> Secrets), and ServiceAccount tokens (JWTs
// signed with sa.key). Authorization is coarse but shaped like kubeadm's RBAC: admins and nodes may
// do anything, bootstrap tokens only what kubeadm join needs, anonymous only the public endpoints.
import { createPublicKey, createSign, createVerify, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { now } from '../env.js';
import { BUILTIN, type Obj, type Resource } from './resources.js';
import type { Storage } from './storage.js';

export interface User {
  name: string;
  groups: string[];
}

export const ANONYMOUS: User = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

const secrets: Resource = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  singular: 'secret',
  namespaced: true,
};

export function tokenSecret(
  s: Obj,
): { id: string; secret: string; expires?: number; auth: boolean; signing: boolean } | undefined {
  if (s.type !== 'bootstrap.kubernetes.io/token') return undefined;
  const d = (k: string) =>
    s.data?.[k] ? Buffer.from(String(s.data[k]), 'base64').toString('utf8') : undefined;
  const id = d('token-id');
  const secret = d('token-secret');
  if (!id || !secret) return undefined;
  const exp = d('expiration');
  return {
    id,
    secret,
    ...(exp ? { expires: Date.parse(exp) } : {}),
    auth: d('usage-bootstrap-authentication') === 'true',
    signing: d('usage-bootstrap-signing') === 'true',
  };
}

export function tokenValid(t: { expires?: number }): boolean {
  return t.expires === undefined || t.expires > now();
}

// ------------------------------------------------------------- ServiceAccount tokens (JWT, RS256)

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export function signServiceAccountToken(
  saKey: string,
  ns: string,
  name: string,
  expirationSeconds: number,
): { token: string; expires: Date } {
  const iat = Math.floor(now() / 1000);
  const exp = iat + expirationSeconds;
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = b64url(
    JSON.stringify({
      aud: ['https://kubernetes.default.svc.cluster.local'],
      exp,
      iat,
      iss: 'https://kubernetes.default.svc.cluster.local',
      sub: `system:serviceaccount:${ns}:${name}`,
      'kubernetes.io': { namespace: ns, serviceaccount: { name } },
    }),
  );
  const sig = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(saKey);
  return { token: `${header}.${claims}.${b64url(sig)}`, expires: new Date(exp * 1000) };
}

function verifyJwt(token: string, pub: KeyObject): { sub: string; exp: number } | undefined {
  const [h, c, s] = token.split('.');
  if (!h || !c || !s) return undefined;
  const ok = createVerify('RSA-SHA256').update(`${h}.${c}`).verify(pub, Buffer.from(s, 'base64url'));
  if (!ok) return undefined;
  const claims = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as { sub: string; exp: number };
  return claims.exp * 1000 > now() ? claims : undefined;
}

// ------------------------------------------------------------- authentication

export class Authenticator {
  private readonly saPub: KeyObject | undefined;

  constructor(
    private readonly storage: Storage,
    saPubPem: string | undefined,
  ) {
    this.saPub = saPubPem ? createPublicKey(saPubPem) : undefined;
  }

  async who(req: IncomingMessage): Promise<User | 'invalid'> {
    const sock = req.socket as TLSSocket;
    const cert = sock.authorized ? sock.getPeerCertificate() : undefined;
    if (cert?.subject) {
      const subj = cert.subject as unknown as Record<string, string | string[]>;
      const orgs = subj.O === undefined ? [] : Array.isArray(subj.O) ? subj.O : [subj.O];
      return { name: String(subj.CN), groups: [...orgs, 'system:authenticated'] };
    }
    const auth = req.headers.authorization;
    if (!auth) return ANONYMOUS;
    const m = /^Bearer (.+)$/.exec(auth);
    if (!m) return 'invalid';
    const bt = /^([a-z0-9]{6})\.([a-z0-9]{16})$/.exec(m[1]!);
    if (bt) {
      const s = await this.storage.get(secrets, 'kube-system', `bootstrap-token-${bt[1]}`);
      const t = s && tokenSecret(s);
      if (!t || t.secret !== bt[2] || !t.auth || !tokenValid(t)) return 'invalid';
      return {
        name: `system:bootstrap:${t.id}`,
        groups: [
          'system:bootstrappers',
          'system:bootstrappers:kubeadm:default-node-token',
          'system:authenticated',
        ],
      };
    }
    const claims = this.saPub ? verifyJwt(m[1]!, this.saPub) : undefined;
    if (!claims) return 'invalid';
    const ns = claims.sub.split(':')[2] ?? '';
    return {
      name: claims.sub,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
    };
  }
}

// ------------------------------------------------------------- authorization

export interface Request {
  verb: string;
  resource?: Resource;
  namespace?: string;
  name?: string;
  sub?: string;
}

const ADMIN_GROUPS = ['system:masters', 'system:nodes'];

// The built-in entry itself: storage keys built-in resources by identity (/registry/clusterrolebindings/…).
const CRB: Resource = BUILTIN.find((r) => r.kind === 'ClusterRoleBinding')!;

let clusterAdminsBoundAt = 0;

/**
 * admin.conf's group has its rights only through the ClusterRoleBinding kubeadm init creates late
 * (1.29+): before it exists, admin.conf is forbidden, as kube-vip users found (kube-vip#684).
 */
async function clusterAdminsBound(storage: Storage): Promise<boolean> {
  if (Date.now() - clusterAdminsBoundAt < 30_000) return true;
  const b = await storage.get(CRB, undefined, 'kubeadm:cluster-admins');
  const bound =
    b?.roleRef?.name === 'cluster-admin' &&
    (b.subjects ?? []).some(
      (s: { kind: string; name: string }) => s.kind === 'Group' && s.name === 'kubeadm:cluster-admins',
    );
  if (bound) clusterAdminsBoundAt = Date.now();
  return bound;
}

export async function allowed(u: User, r: Request, storage: Storage): Promise<boolean> {
  if (u.groups.some((g) => ADMIN_GROUPS.includes(g))) return true;
  if (u.groups.includes('kubeadm:cluster-admins')) return clusterAdminsBound(storage);
  const res = r.resource?.plural;
  const isCm = (ns: string, name: string) =>
    res === 'configmaps' && r.namespace === ns && r.name === name && r.verb === 'get';
  if (isCm('kube-public', 'cluster-info')) return true;
  if (u.groups.includes('system:bootstrappers')) {
    if (
      isCm('kube-system', 'kubeadm-config') ||
      isCm('kube-system', 'kubelet-config') ||
      isCm('kube-system', 'kube-proxy')
    )
      return true;
    if (res === 'nodes' && r.verb === 'get') return true;
    if (res === 'certificatesigningrequests' && ['create', 'get'].includes(r.verb)) return true;
    if (res === 'secrets' && r.namespace === 'kube-system' && r.name === 'kubeadm-certs' && r.verb === 'get')
      return true;
    return false;
  }
  if (u.groups.includes('system:serviceaccounts')) {
    const [, , ns, name] = u.name.split(':');
    const { items } = await storage.list(CRB);
    return items.some(
      (b) =>
        b.roleRef?.name === 'cluster-admin' &&
        (b.subjects ?? []).some(
          (s: { kind: string; name: string; namespace?: string }) =>
            s.kind === 'ServiceAccount' && s.name === name && s.namespace === ns,
        ),
    );
  }
  return false;
}
