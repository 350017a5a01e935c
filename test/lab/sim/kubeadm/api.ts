// What the simulated kubeadm shares: flags, Go durations, talking to the apiserver with a kubeconfig
// (retrying for a while, as kubeadm's API client does), and the cluster's etcd members.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { Etcd, tlsFrom, ETCD_PKI } from '../etcd.js';
import { fail, now } from '../env.js';
import { dialError, type HttpResult } from '../http.js';
import { userPath } from '../invocation.js';
import { readKubeconfig, requestAs, type Credentials } from '../kubeconfig.js';

export const PKI = '/etc/kubernetes/pki';
export const ADMIN_CONF = '/etc/kubernetes/admin.conf';
export const SUPER_ADMIN_CONF = '/etc/kubernetes/super-admin.conf';

export function flag(argv: string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  const a = argv[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1];
}

export function configPath(argv: string[]): string | undefined {
  const p = flag(argv, '--config');
  return p === undefined ? undefined : userPath(p);
}

/**
 * A Go duration (time.ParseDuration): "2h0m0s", "1.5h", "90s", "300ms". Returns milliseconds, or
 * undefined for text Go would refuse. "0" and "0s" are zero: for a bootstrap token, never expires.
 */
export function goDuration(text: string): number | undefined {
  const t = text.trim();
  if (t === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };
  let ms = 0;
  let pos = 0;
  let sign = 1;
  if (t.startsWith('-') || t.startsWith('+')) {
    sign = t.startsWith('-') ? -1 : 1;
    pos = 1;
  }
  re.lastIndex = pos;
  let m: RegExpExecArray | null;
  let any = false;
  while ((m = re.exec(t))) {
    ms += Number(m[1]) * unit[m[2]!]!;
    any = true;
    pos = re.lastIndex;
  }
  return any && pos === t.length ? sign * ms : undefined;
}

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** A node name kubeadm accepts: a lowercase RFC 1123 subdomain. */
export function validNodeName(name: string): boolean {
  return name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}

export function hostName(): string {
  return hostname();
}

export interface Api {
  creds: Credentials;
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<HttpResult>;
}

/**
 * A GET whose connection was reset or closed early is sent again, as client-go does (a write is not:
 * it may have happened). client-go has no client timeout here; the sim's 5 s one is retried the same
 * way, so a busy apiserver makes a GET slow, not an error, for up to 30 s.
 */
const GET_RETRY_MS = 30_000;

function transient(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException;
  return (
    err.code === 'ECONNRESET' ||
    err.code === 'EPIPE' ||
    /socket hang up|Client\.Timeout exceeded/.test(err.message ?? '')
  );
}

export function apiFrom(creds: Credentials): Api {
  const once = (method: string, path: string, body?: unknown, contentType?: string) =>
    requestAs(creds, method, path, 5000, body, contentType);
  return {
    creds,
    call: async (method, path, body, contentType) => {
      const until = Date.now() + GET_RETRY_MS;
      for (;;) {
        try {
          return await once(method, path, body, contentType);
        } catch (e) {
          if (method !== 'GET' || !transient(e) || Date.now() > until) throw e;
          await sleep(1000);
        }
      }
    },
  };
}

export function adminApi(file = ADMIN_CONF): Api {
  if (!existsSync(file)) fail(1, `failed to load admin kubeconfig: open ${file}: no such file or directory`);
  return apiFrom(readKubeconfig(file));
}

/**
 * Call the API, retrying connection failures and 5xx for up to `forMs` (kubeadm retries its API
 * calls); a final failure ends the command with `what` and the error in Go's words.
 */
export async function retrying(
  api: Api,
  what: string,
  method: string,
  path: string,
  body?: unknown,
  forMs = 20_000,
  contentType?: string,
): Promise<HttpResult> {
  const until = Date.now() + forMs;
  let last = '';
  for (;;) {
    try {
      const r = await api.call(method, path, body, contentType);
      if (r.status < 500) return r;
      last = `the server responded with ${r.status}: ${r.body.slice(0, 300)}`;
    } catch (e) {
      last = `${method === 'GET' ? 'Get' : method === 'POST' ? 'Post' : method === 'PUT' ? 'Put' : method} "${api.creds.server}${path}": ${dialError(api.creds.server, e)}`;
    }
    if (Date.now() > until) fail(1, `${what}: ${last}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function getJson<T>(api: Api, path: string): Promise<T | undefined> {
  const r = await api.call('GET', path);
  return r.status === 200 ? (JSON.parse(r.body) as T) : undefined;
}

/** An etcd client of this control plane (its local member first), with the apiserver's client certificate. */
export function etcdClient(endpoints: string[]): Etcd {
  return new Etcd(endpoints, tlsFrom(ETCD_PKI, 'apiserver-etcd-client'), 5000);
}

export async function controlPlaneAddresses(api: Api): Promise<{ name: string; address: string }[]> {
  const list = await getJson<{
    items: {
      metadata: { name: string; labels?: Record<string, string> };
      status?: { addresses?: { type: string; address: string }[] };
    }[];
  }>(api, '/api/v1/nodes?labelSelector=node-role.kubernetes.io%2Fcontrol-plane');
  return (list?.items ?? []).map((n) => ({
    name: n.metadata.name,
    address: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '',
  }));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export { now };
