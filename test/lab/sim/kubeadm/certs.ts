// `kubeadm certs check-expiration` (the real table; every leaf certificate is listed with the
// apiserver certificate's dates, since kubeadm issues them together) and `kubeadm certs renew all`
// (re-issues the apiserver's serving certificate with the same names; the static pods must be
// restarted to load it, as kubeadm says).
import { X509Certificate } from 'node:crypto';
import { fail, now, out, readIfExists, write } from '../env.js';
import { signCert } from '../pki.js';
import { PKI } from './api.js';

// The lab signs the apiserver's serving certificate and the kubeconfigs; the other leaf certificates of
// a real control plane are listed with the apiserver's dates (they are issued together by kubeadm init).
const LEAF_CERTS = [
  'admin.conf',
  'apiserver',
  'apiserver-etcd-client',
  'apiserver-kubelet-client',
  'controller-manager.conf',
  'etcd-healthcheck-client',
  'etcd-peer',
  'etcd-server',
  'front-proxy-client',
  'scheduler.conf',
  'super-admin.conf',
];

function kubeadmDate(validTo: string): string {
  const d = new Date(validTo);
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${month} ${String(d.getUTCDate()).padStart(2, '0')}, ${d.getUTCFullYear()} ${hh}:${mm} UTC`;
}

function residual(validTo: string): string {
  const days = Math.floor((new Date(validTo).getTime() - now()) / 86_400_000);
  return days >= 365 ? `${Math.floor(days / 365)}y` : `${days}d`;
}

export function checkExpiration(): void {
  const apiserver = readIfExists(`${PKI}/apiserver.crt`);
  const ca = readIfExists(`${PKI}/ca.crt`);
  if (!apiserver || !ca)
    fail(1, `error execution phase check-expiration: open ${PKI}/apiserver.crt: no such file or directory`);
  const leaf = new X509Certificate(apiserver).validTo;
  const caTo = new X509Certificate(ca).validTo;
  const row = (cols: string[], widths: number[]) =>
    cols
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('')
      .trimEnd();
  const w = [27, 25, 16, 24, 0];
  out(
    '[check-expiration] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...\n',
  );
  out(row(['CERTIFICATE', 'EXPIRES', 'RESIDUAL TIME', 'CERTIFICATE AUTHORITY', 'EXTERNALLY MANAGED'], w));
  for (const name of LEAF_CERTS) {
    const authority =
      name.startsWith('etcd-') || name === 'apiserver-etcd-client'
        ? 'etcd-ca'
        : name === 'front-proxy-client'
          ? 'front-proxy-ca'
          : 'ca';
    out(row([name, kubeadmDate(leaf), residual(leaf), authority, 'no'], w));
  }
  out('');
  const wc = [24, 25, 16, 0];
  out(row(['CERTIFICATE AUTHORITY', 'EXPIRES', 'RESIDUAL TIME', 'EXTERNALLY MANAGED'], wc));
  for (const name of ['ca', 'etcd-ca', 'front-proxy-ca'])
    out(row([name, kubeadmDate(caTo), residual(caTo), 'no'], wc));
}

/** Re-issues the apiserver's serving certificate with the same names; says what kubeadm says. */
export function renewAll(): void {
  const current = readIfExists(`${PKI}/apiserver.crt`);
  if (!current) fail(1, `error execution phase renew: open ${PKI}/apiserver.crt: no such file or directory`);
  const sans = (new X509Certificate(current).subjectAltName ?? '').split(', ');
  const { cert, key } = signCert(`${PKI}/ca.crt`, `${PKI}/ca.key`, {
    cn: 'kube-apiserver',
    dnsNames: sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)),
    ips: sans.filter((s) => s.startsWith('IP Address:')).map((s) => s.slice(11)),
    server: true,
  });
  write(`${PKI}/apiserver.crt`, cert);
  write(`${PKI}/apiserver.key`, key, 0o600);
  for (const name of LEAF_CERTS) out(`certificate ${name} renewed`);
  out(
    '\nDone renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can use the new certificates.',
  );
}
