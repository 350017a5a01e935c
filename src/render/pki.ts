// The pre-created cluster CA for the first control plane; kubeadm init reuses it. Once init has run,
// the operator no longer holds the key, and there is nothing left to pre-create.
import type { RenderedFile, Secrets } from './types.js';

export function renderClusterCa(s: Secrets): RenderedFile[] {
  if (!s.caKeyPem) return [];
  return [
    {
      path: '/etc/kubernetes/pki/ca.crt',
      mode: 0o644,
      kind: 'file',
      purpose: `cluster CA certificate, pre-created so joins can pin ${s.caCertHash.slice(0, 19)}…`,
      content: s.caCertPem,
    },
    {
      path: '/etc/kubernetes/pki/ca.key',
      mode: 0o600,
      kind: 'file',
      secret: true,
      purpose: 'cluster CA private key',
      content: s.caKeyPem,
    },
  ];
}
