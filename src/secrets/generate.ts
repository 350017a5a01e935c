// Secrets come from crypto randomness and live only in the run's 0600 state.
import { randomBytes, randomInt } from 'node:crypto';
import type { Secrets } from './types.js';

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALNUM = `${LOWER_ALNUM}ABCDEFGHIJKLMNOPQRSTUVWXYZ`;

export function randomString(length: number, alphabet = ALNUM): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** kubeadm's format: \A([a-z0-9]{6})\.([a-z0-9]{16})\z */
export function generateBootstrapToken(): string {
  return `${randomString(6, LOWER_ALNUM)}.${randomString(16, LOWER_ALNUM)}`;
}

/** 32 random bytes, hex: what `kubeadm certs certificate-key` prints. */
export function generateCertificateKey(): string {
  return randomBytes(32).toString('hex');
}

export async function generateSecrets(): Promise<Secrets> {
  // The X.509 library is large; load it only when a CA is actually made.
  const { createClusterCa } = await import('./ca.js');
  const ca = await createClusterCa();
  return {
    bootstrapToken: generateBootstrapToken(),
    certificateKey: generateCertificateKey(),
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    caCertHash: ca.hash,
    vrrpPassword: randomString(8),
    haproxyStatsPassword: randomString(24),
  };
}

/** Every secret value, for redaction of logs and for the leak scans in tests. */
export function secretValues(s: Secrets): string[] {
  return [
    s.bootstrapToken,
    s.bootstrapToken.split('.')[1]!,
    s.certificateKey,
    ...(s.caKeyPem ? [s.caKeyPem] : []),
    s.vrrpPassword,
    s.haproxyStatsPassword,
  ];
}
