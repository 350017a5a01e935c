// The simulated kubeadm and apiserver behave like the real ones where the wizard depends on them:
// preflight, CA reuse, discovery through the VIP with CA pinning and token checks, certificate-key
// expiry (with the lab clock), reset, tokens, and nodes that stay NotReady until a CNI is applied.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RenderResult, Secrets } from '../../src/render/types.js';
import { renderForLab } from './cluster.js';
import { IS_RHEL, PREPARE_NODE, pushFiles, sh, useLab } from './fixture.js';
import { labExec, vipHolder, type LabState } from './lab.js';
import { ETCDCTL } from './install.js';

const { enabled, lab } = useLab('simulated kubeadm tests');
const CONFIG = '/etc/kubernetes/kubeadm-config.yaml';
let rendered: RenderResult;
let secrets: Secrets;

function run(state: LabState, host: string, script: string): { code: number; out: string } {
  const r = labExec(state, host, script);
  return { code: r.code, out: `${r.stdout}${r.stderr}` };
}

function setClock(state: LabState, offsetSeconds: number): void {
  writeFileSync(join(state.dir, 'shared', 'clock-offset-seconds'), String(offsetSeconds));
}

describe.runIf(enabled)('kubeadm in the lab', () => {
  beforeAll(async () => {
    const s = lab.state;
    ({ result: rendered, secrets } = await renderForLab(s));
    for (const h of s.hosts) pushFiles(s, h.name, rendered.nodes[h.name]!);
    for (const h of ['master01', 'master02', 'master03']) {
      sh(
        s,
        h,
        `${PREPARE_NODE}\nif ${IS_RHEL}; then dnf install -y haproxy keepalived >/dev/null; else apt-get install -y haproxy keepalived >/dev/null; fi; systemctl restart haproxy keepalived`,
      );
    }
    for (const h of ['worker01', 'worker02']) sh(s, h, PREPARE_NODE);
  }, 120_000);

  it('validates the API version against the kubeadm version, and lists the images the config needs', () => {
    const s = lab.state;
    expect(run(s, 'master01', `kubeadm config validate --config ${CONFIG}`).code).toBe(0);
    // The engine compares this pause image with the catalog's (steps/pause-image.ts).
    const images = run(s, 'master01', `kubeadm config images list --config ${CONFIG}`);
    expect(images.code).toBe(0);
    expect(images.out).toMatch(/^\S+\/pause:3\.10\.1$/m);
    expect(images.out).toMatch(/^\S+\/kube-apiserver:v1\.\d+\.\d+$/m);
    sh(s, 'master01', `sed 's#kubeadm.k8s.io/v1beta4#kubeadm.k8s.io/v1beta3#' ${CONFIG} > /tmp/old.yaml`);
    const old = run(s, 'master01', 'kubeadm config validate --config /tmp/old.yaml');
    expect(old.code).toBe(1);
    expect(old.out).toMatch(/old API spec: "kubeadm\.k8s\.io\/v1beta3".*kubeadm v1\.35/);
    sh(s, 'master01', `sed 's#^certificateKey:#certKey:#' ${CONFIG} > /tmp/typo.yaml`);
    expect(run(s, 'master01', 'kubeadm config validate --config /tmp/typo.yaml').out).toMatch(
      /unknown field "certKey"/,
    );
  });

  it('refuses init with swap on or ip_forward off, then initializes with the pre-created CA', () => {
    const s = lab.state;
    sh(s, 'master01', 'swapon -a');
    let r = run(s, 'master01', `kubeadm init --config ${CONFIG} --upload-certs`);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/\[WARNING Swap\][\s\S]*running with swap on is not supported/);
    sh(
      s,
      'master01',
      'kubeadm reset -f >/dev/null && swapoff -a && sysctl -w net.ipv4.ip_forward=0 >/dev/null',
    );
    pushFiles(
      s,
      'master01',
      rendered.nodes.master01!.filter((f) => f.path.startsWith('/etc/kubernetes/')),
    );
    r = run(s, 'master01', `kubeadm init --config ${CONFIG} --upload-certs`);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/\[ERROR FileContent--proc-sys-net-ipv4-ip_forward\]/);
    sh(s, 'master01', 'sysctl -w net.ipv4.ip_forward=1 >/dev/null');
    r = run(s, 'master01', `kubeadm init --config ${CONFIG} --upload-certs`);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Using existing ca certificate authority/);
    expect(r.out).toContain(`--discovery-token-ca-cert-hash ${secrets.caCertHash}`);
    expect(r.out).toContain('kubeadm join 172.16.100.150:8443');
    // A second init on the same node trips preflight, as the real one does.
    const again = run(s, 'master01', `kubeadm init --config ${CONFIG} --upload-certs`);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(
      /\[ERROR Port-6443\]: Port 6443 is in use[\s\S]*\[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver\.yaml\]/,
    );
  });

  it('answers /healthz through the VIP from the operator namespace', async () => {
    const s = lab.state;
    const { labWs } = await import('./lab.js');
    let r = labWs(['curl', '-sk', '--max-time', '3', 'https://172.16.100.150:8443/healthz']);
    for (let i = 0; i < 30 && r.stdout !== 'ok'; i++) {
      await new Promise((res) => setTimeout(res, 500));
      r = labWs(['curl', '-sk', '--max-time', '3', 'https://172.16.100.150:8443/healthz']);
    }
    expect(r.stdout).toBe('ok');
    expect(vipHolder(s)).toBeDefined();
    // TLS against the VIP verifies: the VIP is in the apiserver certificate.
    const ca = sh(s, 'master01', 'cat /etc/kubernetes/pki/ca.crt');
    writeFileSync(join(s.dir, 'ca.crt'), ca);
    const verified = labWs([
      'curl',
      '-s',
      '--max-time',
      '3',
      '--cacert',
      join(s.dir, 'ca.crt'),
      'https://172.16.100.150:8443/version',
    ]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/"gitVersion":"v1\.36\.4"/);
  });

  it('rejects a join with a wrong CA hash or an unknown token, through the VIP', () => {
    const s = lab.state;
    sh(
      s,
      'worker01',
      `sed "s#${secrets.caCertHash}#sha256:${'0'.repeat(64)}#" ${CONFIG} > /tmp/badhash.yaml`,
    );
    let r = run(s, 'worker01', 'kubeadm join --config /tmp/badhash.yaml');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/none of the public keys "sha256:[0-9a-f]{64}" are pinned/);
    sh(
      s,
      'worker01',
      `sed "s#${secrets.bootstrapToken}#abcdef.0123456789abcdef#" ${CONFIG} > /tmp/badtoken.yaml`,
    );
    r = run(s, 'worker01', 'kubeadm join --config /tmp/badtoken.yaml');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /could not find a JWS signature in the cluster-info ConfigMap for token ID "abcdef"/,
    );
  });

  it('joins a control plane with the certificate key, and refuses a wrong or expired one', () => {
    const s = lab.state;
    sh(
      s,
      'master02',
      `sed "s#certificateKey: ${secrets.certificateKey}#certificateKey: ${'a'.repeat(64)}#" ${CONFIG} > /tmp/badkey.yaml`,
    );
    let r = run(s, 'master02', 'kubeadm join --config /tmp/badkey.yaml');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/cipher: message authentication failed/);
    r = run(s, 'master02', `kubeadm join --config ${CONFIG}`);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/new control plane instance was created/);

    // Two and a half hours later: the uploaded certificates (2 h) and the token (2 h TTL) are gone.
    setClock(s, 9000);
    try {
      r = run(s, 'master03', `kubeadm join --config ${CONFIG}`);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/could not find a JWS signature|invalid for this cluster or it has expired/);
      const fresh = sh(s, 'master01', 'kubeadm token create --ttl 2h').trim();
      expect(fresh).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
      sh(s, 'master03', `sed "s#${secrets.bootstrapToken}#${fresh}#" ${CONFIG} > /tmp/fresh.yaml`);
      r = run(s, 'master03', 'kubeadm join --config /tmp/fresh.yaml');
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/Secret "kubeadm-certs" was not found[\s\S]*might have expired/);
      expect(
        sh(
          s,
          'master01',
          `kubeadm init phase upload-certs --upload-certs --certificate-key ${secrets.certificateKey}`,
        ),
      ).toContain(secrets.certificateKey);
      r = run(s, 'master03', 'kubeadm join --config /tmp/fresh.yaml');
      expect(r.code, r.out).toBe(0);
    } finally {
      setClock(s, 0);
    }
  });

  it('joins workers, refuses a second join, and takes a reset node back while its Node is NotReady', () => {
    const s = lab.state;
    // The install token expired in the clock test above and was cleaned up; mint a new one.
    const fresh = sh(s, 'master02', 'kubeadm token create --print-join-command');
    expect(fresh).toMatch(
      new RegExp(
        `^kubeadm join 172\\.16\\.100\\.150:8443 --token \\S+ --discovery-token-ca-cert-hash ${secrets.caCertHash}`,
      ),
    );
    const token = /--token (\S+)/.exec(fresh)![1]!;
    for (const w of ['worker01', 'worker02']) {
      sh(s, w, `sed "s#${secrets.bootstrapToken}#${token}#" ${CONFIG} > /tmp/join.yaml`);
      const r = run(s, w, 'kubeadm join --config /tmp/join.yaml');
      expect(r.code, r.out).toBe(0);
    }
    const again = run(s, 'worker01', 'kubeadm join --config /tmp/join.yaml');
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/\[ERROR FileAvailable--etc-kubernetes-kubelet\.conf\]/);
    sh(s, 'worker01', 'kubeadm reset -f >/dev/null');
    // The real kubeadm reset leaves the Node object. Without a CNI yet it is NotReady, so its name is free.
    const k = 'KUBECONFIG=/etc/kubernetes/admin.conf kubectl';
    expect(sh(s, 'master01', `${k} get node worker01 -o name`).trim()).toBe('node/worker01');
    expect(run(s, 'worker01', 'kubeadm join --config /tmp/join.yaml').code).toBe(0);
  });

  it('shows nodes NotReady until Calico is applied, then Ready, the same from every control plane', () => {
    const s = lab.state;
    const k = 'KUBECONFIG=/etc/kubernetes/admin.conf kubectl';
    expect(sh(s, 'master03', `${k} get nodes`)).toMatch(/worker02\s+NotReady\s+<none>/);
    expect(run(s, 'master01', `${k} wait --for=condition=Ready nodes --all --timeout=2s`).code).toBe(1);
    const calico = rendered.cluster.find((f) => f.path === 'cni/install-calico.sh')!;
    sh(s, 'master01', 'sh -s', calico.content);
    expect(sh(s, 'master02', `${k} wait --for=condition=Ready nodes --all --timeout=30s`)).toMatch(
      /node\/worker02 condition met/,
    );
    const nodes = JSON.parse(sh(s, 'master03', `${k} get nodes -o json`)) as {
      items: { metadata: { name: string; labels: Record<string, string> } }[];
    };
    expect(nodes.items.map((n) => n.metadata.name).sort()).toEqual([
      'master01',
      'master02',
      'master03',
      'worker01',
      'worker02',
    ]);
    expect(
      nodes.items.filter((n) => 'node-role.kubernetes.io/control-plane' in n.metadata.labels),
    ).toHaveLength(3);
    expect(sh(s, 'master01', `${k} get pods -A`)).toMatch(/kube-system\s+calico-node-\w+\s+1\/1\s+Running/);
    expect(sh(s, 'master01', `${k} get --raw '/readyz?verbose'`)).toMatch(/\[\+\]etcd ok/);
    // The standard etcdctl command on a control plane: three started voting members.
    const members = sh(s, 'master01', `${ETCDCTL} member list`);
    expect(
      members
        .trim()
        .split('\n')
        .filter((l) => /, started, master0\d, https:\/\/172\.16\.100\.\d+:2380, .*, false$/.test(l)),
    ).toHaveLength(3);
    expect(sh(s, 'master01', 'cat /var/lib/k8sha-lab/kubeadm-init.log')).toMatch(/init #1 of this lab/); // the failed attempts never created a cluster

    // A reset leaves the Node object, Ready until the grace period runs out: a join under that name is refused.
    const token = /--token (\S+)/.exec(sh(s, 'master01', 'kubeadm token create --print-join-command'))![1]!;
    sh(
      s,
      'worker02',
      `sed "s#${secrets.bootstrapToken}#${token}#" ${CONFIG} > /tmp/join.yaml && kubeadm reset -f >/dev/null`,
    );
    const refused = run(s, 'worker02', 'kubeadm join --config /tmp/join.yaml');
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(
      /a Node with name "worker02" and status "Ready" already exists in the cluster/,
    );
    sh(s, 'worker02', 'kubeadm reset -f >/dev/null');
    sh(s, 'master01', `${k} delete node worker02`);
    const rejoined = run(s, 'worker02', 'kubeadm join --config /tmp/join.yaml');
    expect(rejoined.code, rejoined.out).toBe(0);
  });
});
