// `kube-apiserver` as the kubelet stand-in starts it from /etc/kubernetes/manifests/kube-apiserver.yaml:
// the same flags a kubeadm manifest carries, so what the manifest says is what runs.
import { readFileSync } from 'node:fs';
import { host } from '../env.js';
import { Apiserver } from './server.js';

function flags(argv: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of argv) {
    const x = /^--([^=]+)=(.*)$/.exec(a);
    if (x) m.set(x[1]!, x[2]!);
  }
  return m;
}

export function runApiserver(argv: string[]): void {
  const f = flags(argv);
  const need = (k: string) => {
    const v = f.get(k);
    if (!v) throw new Error(`kube-apiserver: --${k} is required`);
    return v;
  };
  const api = new Apiserver({
    node: host().name,
    address: f.get('advertise-address') ?? host().address,
    port: Number(f.get('secure-port') ?? 6443),
    version: f.get('lab-version') ?? 'v0.0.0',
    etcdServers: need('etcd-servers').split(','),
    etcd: {
      ca: readFileSync(need('etcd-cafile'), 'utf8'),
      cert: readFileSync(need('etcd-certfile'), 'utf8'),
      key: readFileSync(need('etcd-keyfile'), 'utf8'),
    },
    certFile: need('tls-cert-file'),
    keyFile: need('tls-private-key-file'),
    clientCaFile: need('client-ca-file'),
    caKeyFile: f.get('lab-cluster-signing-key-file') ?? '/etc/kubernetes/pki/ca.key',
    ...(f.get('service-account-signing-key-file')
      ? { saKeyFile: f.get('service-account-signing-key-file')! }
      : {}),
    ...(f.get('service-account-key-file') ? { saPubFile: f.get('service-account-key-file')! } : {}),
  });
  api.listen();
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
