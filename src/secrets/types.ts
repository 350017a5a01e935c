// The cluster's secrets: generated here, stored only in the run's 0600 state, used by the renderers.

/** Generated per cluster; stored only in the run's 0600 state. */
export interface Secrets {
  /** kubeadm bootstrap token, [a-z0-9]{6}.[a-z0-9]{16}. */
  bootstrapToken: string;
  /** 32 bytes hex: encrypts the control-plane certs uploaded for joins (they expire after 2 h). */
  certificateKey: string;
  /** The cluster CA, pre-created so that its hash is known before `kubeadm init`. */
  caCertPem: string;
  /**
   * The CA's private key, held by the operator only until `kubeadm init` has put it on the first
   * control plane; then it is dropped here (the backup keeps the cluster's PKI for disaster recovery).
   */
  caKeyPem?: string;
  /** sha256:<hex> of the CA's SubjectPublicKeyInfo, pinned by every join. */
  caCertHash: string;
  /** VRRP PASS authentication; keepalived only uses the first 8 characters. */
  vrrpPassword: string;
  /** For the optional haproxy stats page on 127.0.0.1. */
  haproxyStatsPassword: string;
}
