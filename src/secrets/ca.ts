// The cluster CA, created on the operator side so the discovery hash is known before `kubeadm init`.
// kubeadm reuses a CA it finds in /etc/kubernetes/pki (kubeadm implementation-details.md).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { caCertHash } from './ca-hash.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

export interface ClusterCa {
  certPem: string;
  keyPem: string;
  /** sha256:<hex of the DER SubjectPublicKeyInfo>, the value of --discovery-token-ca-cert-hash. */
  hash: string;
}

export async function createClusterCa(): Promise<ClusterCa> {
  // RSA-2048 is kubeadm's default encryptionAlgorithm; the classic `openssl rsa` hash recipe works on it.
  const alg = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: webcrypto
      .getRandomValues(new Uint8Array(8))
      .reduce((s, b) => s + b.toString(16).padStart(2, '0'), '7'),
    name: 'CN=kubernetes', // kubeadm's own CA subject, whatever the cluster is called
    notBefore: new Date(now - 5 * 60 * 1000),
    notAfter: new Date(now + TEN_YEARS_MS),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.digitalSignature |
          x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  const certPem = cert.toString('pem') + '\n';
  return { certPem, keyPem, hash: caCertHash(certPem) };
}
