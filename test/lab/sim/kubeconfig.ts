// kubeconfig files: written by kubeadm, read by kubectl and kubeadm token/upload-certs.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { parse, stringify } from 'yaml';
import { https, type HttpResult } from './http.js';
import { inv } from './invocation.js';

export interface Credentials {
  server: string;
  ca: string;
  cert?: string;
  key?: string;
  token?: string;
}

export function kubeconfigText(clusterName: string, user: string, c: Credentials): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { 'certificate-authority-data': b64(c.ca), server: c.server } }],
    contexts: [{ name: `${user}@${clusterName}`, context: { cluster: clusterName, user } }],
    'current-context': `${user}@${clusterName}`,
    preferences: {},
    users: [
      {
        name: user,
        user: c.cert
          ? { 'client-certificate-data': b64(c.cert), 'client-key-data': b64(c.key!) }
          : { token: c.token },
      },
    ],
  });
}

type Doc = {
  clusters?: { name: string; cluster: Record<string, string> }[];
  users?: { name: string; user: Record<string, string> }[];
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  'current-context'?: string;
};

export function readKubeconfig(path: string): Credentials {
  return kubeconfigFromText(readFileSync(path, 'utf8'), path);
}

export function kubeconfigFromText(text: string, path = 'kubeconfig'): Credentials {
  const doc = parse(text) as Doc;
  const ctx = doc.contexts?.find((c) => c.name === doc['current-context']) ?? doc.contexts?.[0];
  const cluster = doc.clusters?.find((c) => c.name === ctx?.context.cluster) ?? doc.clusters?.[0];
  const user = doc.users?.find((u) => u.name === ctx?.context.user) ?? doc.users?.[0];
  if (!cluster) throw new Error(`invalid configuration: no clusters in ${path}`);
  const dec = (s?: string) => (s ? Buffer.from(s, 'base64').toString('utf8') : undefined);
  const ca =
    dec(cluster.cluster['certificate-authority-data']) ??
    (cluster.cluster['certificate-authority']
      ? readFileSync(cluster.cluster['certificate-authority'], 'utf8')
      : '');
  return {
    server: cluster.cluster.server!,
    ca,
    cert: dec(user?.user['client-certificate-data']),
    key: dec(user?.user['client-key-data']),
    token: user?.user.token,
  };
}

/** --kubeconfig, then $KUBECONFIG, then ~/.kube/config; undefined when none exists. */
export function resolveKubeconfig(flag: string | undefined): string | undefined {
  if (flag) return flag;
  const env = inv()
    .env.KUBECONFIG?.split(':')
    .find((p) => p && existsSync(p));
  if (env) return env;
  const home = `${inv().env.HOME ?? homedir()}/.kube/config`;
  return existsSync(home) ? home : undefined;
}

/** One API request as a kubeconfig's user: its CA, client certificate or token. */
export function requestAs(
  c: Credentials,
  method: string,
  path: string,
  timeoutMs: number,
  body?: unknown,
  contentType?: string,
): Promise<HttpResult> {
  return https(`${c.server}${path}`, {
    method,
    ca: c.ca,
    ...(c.cert ? { cert: c.cert, key: c.key } : {}),
    ...(c.token ? { token: c.token } : {}),
    ...(body !== undefined ? { body } : {}),
    ...(contentType ? { headers: { 'content-type': contentType } } : {}),
    timeoutMs,
  });
}
