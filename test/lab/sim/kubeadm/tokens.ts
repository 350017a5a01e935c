// Bootstrap tokens and the uploaded control-plane certificates, stored as kubeadm stores them:
// tokens as bootstrap.kubernetes.io/token Secrets (a TTL in Go duration syntax, 0 meaning never),
// certificates in the kubeadm-certs Secret, each file encrypted with AES-256-GCM under the
// certificate key and gone two hours after the upload.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fail, now, out, write } from '../env.js';
import type { KubeadmConfig } from '../kubeadm-config.js';
import { caHash } from '../pki.js';
import { adminApi, flag, goDuration, PKI, retrying, rfc3339, type Api } from './api.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const CERTS_TTL_MS = 2 * 3600 * 1000;
const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

export function bootstrapTokenSecret(token: string, ttlMs: number, description: string): Doc {
  const m = TOKEN.exec(token);
  if (!m)
    fail(1, `the bootstrap token "${token}" was not of the form "\\A([a-z0-9]{6})\\.([a-z0-9]{16})\\z"`);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'bootstrap.kubernetes.io/token',
    metadata: { name: `bootstrap-token-${m[1]}`, namespace: 'kube-system' },
    data: {
      'token-id': b64(m[1]!),
      'token-secret': b64(m[2]!),
      ...(ttlMs > 0 ? { expiration: b64(rfc3339(now() + ttlMs)) } : {}),
      'usage-bootstrap-authentication': b64('true'),
      'usage-bootstrap-signing': b64('true'),
      'auth-extra-groups': b64('system:bootstrappers:kubeadm:default-node-token'),
      ...(description ? { description: b64(description) } : {}),
    },
  };
}

const CERT_FILES = [
  'ca.crt',
  'ca.key',
  'sa.key',
  'sa.pub',
  'front-proxy-ca.crt',
  'front-proxy-ca.key',
  'etcd/ca.crt',
  'etcd/ca.key',
];

function encrypt(data: Buffer, key: Buffer): string {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([c.update(data), c.final()]);
  return b64(Buffer.concat([nonce, body, c.getAuthTag()]));
}

function decrypt(text: string, key: Buffer): Buffer | undefined {
  const raw = Buffer.from(text, 'base64');
  try {
    const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]);
  } catch {
    return undefined;
  }
}

function keyBytes(hex: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(hex))
    fail(
      1,
      'error execution phase upload-certs: the certificate key must be a hex encoded string of 32 bytes',
    );
  return Buffer.from(hex, 'hex');
}

export async function uploadCertificates(api: Api, keyHex: string): Promise<void> {
  const key = keyBytes(keyHex);
  const data: Record<string, string> = {};
  for (const f of CERT_FILES)
    if (existsSync(`${PKI}/${f}`)) data[f.replace('/', '-')] = encrypt(readFileSync(`${PKI}/${f}`), key);
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: 'kubeadm-certs',
      namespace: 'kube-system',
      annotations: { 'lab.k8sha/expires': rfc3339(now() + CERTS_TTL_MS) },
    },
    data,
  };
  const r = await retrying(
    api,
    'error execution phase upload-certs: error uploading certs',
    'POST',
    '/api/v1/namespaces/kube-system/secrets',
    secret,
  );
  if (r.status === 409)
    await retrying(
      api,
      'error execution phase upload-certs',
      'PUT',
      '/api/v1/namespaces/kube-system/secrets/kubeadm-certs',
      secret,
    );
}

/** A control-plane join's download-certs phase; fails as kubeadm does for an expired or wrong key. */
export async function downloadCertificates(api: Api, keyHex: string): Promise<void> {
  const key = keyBytes(keyHex);
  const r = await retrying(
    api,
    'error execution phase control-plane-prepare/download-certs: error downloading certs',
    'GET',
    '/api/v1/namespaces/kube-system/secrets/kubeadm-certs',
  );
  if (r.status === 404)
    fail(
      1,
      'error execution phase control-plane-prepare/download-certs: error downloading certs: error downloading the secret: Secret "kubeadm-certs" was not found in the "kube-system" Namespace. This Secret might have expired. Please, run `kubeadm init phase upload-certs --upload-certs` on a control plane to generate a new one',
    );
  if (r.status !== 200)
    fail(1, `error execution phase control-plane-prepare/download-certs: ${r.body.slice(0, 300)}`);
  const data = (JSON.parse(r.body) as { data: Record<string, string> }).data;
  for (const f of CERT_FILES) {
    const enc = data[f.replace('/', '-')];
    if (!enc) continue;
    const plain = decrypt(enc, key);
    if (!plain)
      fail(
        1,
        'error execution phase control-plane-prepare/download-certs: error downloading certs: error decoding secret data with provided key: cipher: message authentication failed',
      );
    write(`${PKI}/${f}`, plain.toString('utf8'), f.endsWith('.key') ? 0o600 : 0o644);
  }
}

/** `kubeadm token create|list|generate`. */
export async function tokenCommand(argv: string[], cfg: KubeadmConfig | undefined): Promise<void> {
  const sub = argv[0];
  if (sub === 'generate') return out(`${randomBytes(3).toString('hex')}.${randomBytes(8).toString('hex')}`);
  const api = adminApi(flag(argv, '--kubeconfig') ?? '/etc/kubernetes/admin.conf');
  if (sub === 'create') {
    const given = argv.slice(1).find((a) => TOKEN.test(a));
    const fromConfig = (cfg?.init?.bootstrapTokens as Doc[] | undefined)?.[0];
    const tok =
      given ??
      (fromConfig?.token as string | undefined) ??
      `${randomBytes(3).toString('hex')}.${randomBytes(8).toString('hex')}`;
    const ttlText = flag(argv, '--ttl') ?? (fromConfig?.ttl as string | undefined) ?? '24h0m0s';
    const ttl = goDuration(ttlText);
    if (ttl === undefined || ttl < 0)
      fail(1, `invalid argument "${ttlText}" for "--ttl" flag: time: invalid duration "${ttlText}"`);
    const description = flag(argv, '--description') ?? (fromConfig?.description as string | undefined) ?? '';
    const secret = bootstrapTokenSecret(tok, ttl, description);
    const r = await retrying(
      api,
      'failed to create or update bootstrap token',
      'POST',
      '/api/v1/namespaces/kube-system/secrets',
      secret,
    );
    if (r.status === 409)
      await retrying(
        api,
        'failed to create or update bootstrap token',
        'PUT',
        `/api/v1/namespaces/kube-system/secrets/${secret.metadata.name}`,
        secret,
      );
    else if (r.status >= 300) fail(1, `failed to create or update bootstrap token: ${r.body.slice(0, 300)}`);
    if (argv.includes('--print-join-command')) {
      const info = await retrying(
        api,
        'failed to read cluster-info',
        'GET',
        '/api/v1/namespaces/kube-public/configmaps/cluster-info',
      );
      const kc = (JSON.parse(info.body) as { data: { kubeconfig: string } }).data.kubeconfig;
      const server = /server: https:\/\/(\S+)/.exec(kc)?.[1] ?? '';
      return out(
        `kubeadm join ${server} --token ${tok} --discovery-token-ca-cert-hash ${caHash(readFileSync(`${PKI}/ca.crt`, 'utf8'))} `,
      );
    }
    return out(tok);
  }
  if (sub === 'list') {
    const r = await retrying(
      api,
      'failed to list bootstrap tokens',
      'GET',
      '/api/v1/namespaces/kube-system/secrets?fieldSelector=type%3Dbootstrap.kubernetes.io%2Ftoken',
    );
    const items = (JSON.parse(r.body) as { items: Doc[] }).items;
    out('TOKEN                     TTL         EXPIRES                USAGES                   DESCRIPTION');
    for (const s of items) {
      const d = (k: string) => (s.data?.[k] ? Buffer.from(s.data[k], 'base64').toString('utf8') : '');
      const exp = d('expiration');
      const ttl = exp ? `${Math.max(0, Math.round((Date.parse(exp) - now()) / 3600e3))}h` : '<forever>';
      out(
        `${d('token-id')}.<secret>   ${ttl.padEnd(11)} ${(exp || '<never>').padEnd(22)} authentication,signing   ${d('description')}`,
      );
    }
    return;
  }
  fail(1, `lab kubeadm: token ${sub ?? ''} is not simulated`);
}

/** `kubeadm init phase upload-certs --upload-certs [--config F | --certificate-key K]`. */
export async function uploadCertsPhase(argv: string[], cfg: KubeadmConfig | undefined): Promise<void> {
  if (!argv.includes('--upload-certs'))
    fail(1, 'error execution phase upload-certs: --upload-certs is required');
  const key =
    flag(argv, '--certificate-key') ??
    (cfg?.init?.certificateKey as string | undefined) ??
    randomBytes(32).toString('hex');
  await uploadCertificates(adminApi(flag(argv, '--kubeconfig') ?? '/etc/kubernetes/admin.conf'), key);
  out(
    `[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace\n[upload-certs] Using certificate key:\n${key}`,
  );
}
