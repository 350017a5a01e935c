// The discovery hash of a CA certificate, with node:crypto only (cheap to load, unlike the X.509
// builder in ca.ts).
import { createHash, X509Certificate } from 'node:crypto';

/** sha256:<hex of the DER SubjectPublicKeyInfo>, the value of --discovery-token-ca-cert-hash. */
export function caCertHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}
