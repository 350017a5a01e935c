// Certificates for the simulated control plane, made with the real openssl.
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createCa(certPath: string, keyPath: string, cn = 'kubernetes'): void {
  mkdirSync(dirname(certPath), { recursive: true });
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '3650',
    '-subj',
    `/CN=${cn}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign',
  ]);
}

export interface CertRequest {
  cn: string;
  org?: string;
  dnsNames?: string[];
  ips?: string[];
  server?: boolean;
  client?: boolean;
}

/** A leaf certificate signed by the CA; returns PEM cert and key. */
export function signCert(caCert: string, caKey: string, req: CertRequest): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'k8sha-lab-pki-'));
  try {
    const key = join(dir, 'k.pem');
    const csr = join(dir, 'r.csr');
    const crt = join(dir, 'c.pem');
    const ext = join(dir, 'ext.cnf');
    const subj = `/CN=${req.cn}${req.org ? `/O=${req.org}` : ''}`;
    openssl([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-subj',
      subj,
      '-out',
      csr,
    ]);
    const usages = [req.server ? 'serverAuth' : '', req.client ? 'clientAuth' : ''].filter(Boolean).join(',');
    const sans = [...(req.dnsNames ?? []).map((d) => `DNS:${d}`), ...(req.ips ?? []).map((i) => `IP:${i}`)];
    writeFileSync(
      ext,
      [
        `keyUsage=critical,digitalSignature,keyEncipherment`,
        `extendedKeyUsage=${usages || 'clientAuth'}`,
        ...(sans.length ? [`subjectAltName=${sans.join(',')}`] : []),
      ].join('\n'),
    );
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      caCert,
      '-CAkey',
      caKey,
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      '365',
      '-extfile',
      ext,
      '-out',
      crt,
    ]);
    return { cert: readFileSync(crt, 'utf8'), key: readFileSync(key, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function caHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

/** Whether a private key belongs to a certificate. */
export function keyMatchesCert(certPem: string, keyPem: string): boolean {
  try {
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    const fromCert = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
    return Buffer.compare(fromKey, fromCert) === 0;
  } catch {
    return false;
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Sign a PEM certificate request with the CA (files); undefined when the request does not parse. */
export function signCsr(
  caCertFile: string,
  caKeyFile: string,
  csrPem: string,
  use: { client?: boolean; server?: boolean; days?: number },
): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'k8sha-lab-csr-'));
  try {
    const csr = join(dir, 'r.csr');
    const crt = join(dir, 'c.pem');
    const ext = join(dir, 'ext.cnf');
    writeFileSync(csr, csrPem);
    const usages = [use.server ? 'serverAuth' : '', use.client ? 'clientAuth' : ''].filter(Boolean).join(',');
    writeFileSync(
      ext,
      `keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=${usages || 'clientAuth'}\n`,
    );
    try {
      openssl([
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        caCertFile,
        '-CAkey',
        caKeyFile,
        '-set_serial',
        `0x${randomBytes(8).toString('hex')}`,
        '-days',
        String(use.days ?? 365),
        '-extfile',
        ext,
        '-out',
        crt,
      ]);
    } catch {
      return undefined;
    }
    return readFileSync(crt, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A new EC key and a certificate request for it (what the kubelet sends in its TLS bootstrap). */
export function keyAndCsr(cn: string, org?: string): { key: string; csr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'k8sha-lab-req-'));
  try {
    const key = join(dir, 'k.pem');
    const csr = join(dir, 'r.csr');
    openssl([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-subj',
      `/CN=${cn}${org ? `/O=${org}` : ''}`,
      '-out',
      csr,
    ]);
    return { key: readFileSync(key, 'utf8'), csr: readFileSync(csr, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The service-account signing key pair (sa.key / sa.pub). */
export function createSaKeys(keyPath: string, pubPath: string): void {
  mkdirSync(dirname(keyPath), { recursive: true });
  openssl(['genrsa', '-out', keyPath, '2048']);
  openssl(['rsa', '-in', keyPath, '-pubout', '-out', pubPath]);
}
