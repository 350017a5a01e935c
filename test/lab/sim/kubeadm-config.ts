// kubeadm's configuration file rules, as `kubeadm config validate` and init/join apply them.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

export type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface KubeadmConfig {
  init?: Doc;
  cluster?: Doc;
  join?: Doc;
  kubelet?: Doc;
  proxy?: Doc;
  apiVersion: string;
}

const TOKEN = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;
const KNOWN_FIELDS: Record<string, string[]> = {
  InitConfiguration: [
    'apiVersion',
    'kind',
    'bootstrapTokens',
    'certificateKey',
    'localAPIEndpoint',
    'nodeRegistration',
    'skipPhases',
    'patches',
    'timeouts',
    'dryRun',
  ],
  ClusterConfiguration: [
    'apiVersion',
    'kind',
    'clusterName',
    'kubernetesVersion',
    'controlPlaneEndpoint',
    'imageRepository',
    'networking',
    'apiServer',
    'controllerManager',
    'scheduler',
    'etcd',
    'dns',
    'proxy',
    'certificatesDir',
    'featureGates',
    'encryptionAlgorithm',
    'certificateValidityPeriod',
    'caCertificateValidityPeriod',
  ],
  JoinConfiguration: [
    'apiVersion',
    'kind',
    'discovery',
    'nodeRegistration',
    'controlPlane',
    'caCertPath',
    'skipPhases',
    'patches',
    'timeouts',
    'dryRun',
  ],
};

/** Parse and check a kubeadm config for the given kubeadm version (e.g. "1.36.4"); returns errors. */
export function checkKubeadmConfig(
  path: string,
  kubeadmVersion: string,
): { config?: KubeadmConfig; errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {
      errors: [`unable to read config from "${path}" : open ${path}: no such file or directory`],
      warnings,
    };
  }
  const docs = parseAllDocuments(text)
    .map((d) => d.toJS() as Doc)
    .filter(Boolean);
  const minor = Number(kubeadmVersion.split('.')[1]);
  const cfg: KubeadmConfig = { apiVersion: '' };
  for (const d of docs) {
    const api = String(d.apiVersion ?? '');
    const kind = String(d.kind ?? '');
    if (api.startsWith('kubeadm.k8s.io/')) {
      cfg.apiVersion = api;
      if (api === 'kubeadm.k8s.io/v1beta2' || api === 'kubeadm.k8s.io/v1beta1')
        errors.push(
          `your configuration file uses an old API spec: "${api}" (kind: "${kind}"). Please use kubeadm v1.26 instead and run 'kubeadm config migrate --old-config old.yaml --new-config new.yaml', which will write the new, similar spec using a newer API version.`,
        );
      else if (api === 'kubeadm.k8s.io/v1beta3') {
        if (minor >= 36)
          errors.push(
            `your configuration file uses an old API spec: "${api}" (kind: "${kind}"). Please use kubeadm v1.35 instead and run 'kubeadm config migrate --old-config old.yaml --new-config new.yaml', which will write the new, similar spec using a newer API version.`,
          );
        else
          warnings.push(
            `W1127 00:00:00.000000 kubeadm.k8s.io/v1beta3 is deprecated; use 'kubeadm config migrate' to move to v1beta4`,
          );
      } else if (api !== 'kubeadm.k8s.io/v1beta4')
        errors.push(
          `no kind "${kind}" is registered for version "${api}" in scheme "k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/scheme/scheme.go:31"`,
        );
      for (const field of Object.keys(d)) {
        if (KNOWN_FIELDS[kind] && !KNOWN_FIELDS[kind]!.includes(field))
          errors.push(`strict decoding error: unknown field "${field}"`);
      }
      if (kind === 'InitConfiguration') cfg.init = d;
      else if (kind === 'ClusterConfiguration') cfg.cluster = d;
      else if (kind === 'JoinConfiguration') cfg.join = d;
      else errors.push(`no kind "${kind}" is registered for version "${api}"`);
      if (api === 'kubeadm.k8s.io/v1beta4') {
        const args = [
          d.nodeRegistration?.kubeletExtraArgs,
          d.apiServer?.extraArgs,
          d.controllerManager?.extraArgs,
          d.scheduler?.extraArgs,
        ];
        if (args.some((a) => a !== undefined && !Array.isArray(a)))
          errors.push(
            'json: cannot unmarshal object into Go struct field NodeRegistrationOptions.nodeRegistration.kubeletExtraArgs of type []v1beta4.Arg',
          );
      }
    } else if (kind === 'KubeletConfiguration') cfg.kubelet = d;
    else if (kind === 'KubeProxyConfiguration') cfg.proxy = d;
    else
      errors.push(
        `unknown configuration schema.GroupVersionKind{Group:"${api.split('/')[0]}", Version:"${api.split('/')[1] ?? ''}", Kind:"${kind}"}`,
      );
  }
  if (!cfg.init && !cfg.cluster && !cfg.join)
    errors.push('no InitConfiguration, ClusterConfiguration or JoinConfiguration found in the config file');
  for (const t of (cfg.init?.bootstrapTokens ?? []) as Doc[]) {
    if (!TOKEN.test(String(t.token ?? '')))
      errors.push(`bootstrapTokens[0].token: Invalid value: "${t.token}": the bootstrap token is invalid`);
  }
  const key = cfg.init?.certificateKey ?? cfg.join?.controlPlane?.certificateKey;
  if (key !== undefined && !/^[0-9a-f]{64}$/.test(String(key)))
    errors.push(
      'certificateKey: Invalid value: the certificate key must be a hex encoded string of 32 bytes',
    );
  if (cfg.cluster) {
    const v = String(cfg.cluster.kubernetesVersion ?? '');
    const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(v);
    if (!m) errors.push(`kubernetesVersion: Invalid value: "${v}": must be a version such as v1.36.4`);
    else {
      const want = Number(m[2]);
      if (want > minor)
        errors.push(
          `the specified version to deploy (${v}) is newer than kubeadm's version (v${kubeadmVersion})`,
        );
      if (want < minor - 1)
        errors.push(
          `this version of kubeadm only supports deploying clusters with the control plane version >= 1.${minor - 1}.0. Current version: ${v}`,
        );
    }
    if (!cfg.cluster.networking?.podSubnet)
      warnings.push('networking.podSubnet is not set: the CNI will pick its own pod network');
  }
  if (cfg.join) {
    const bt = cfg.join.discovery?.bootstrapToken;
    if (!bt && !cfg.join.discovery?.file)
      errors.push('discovery: Invalid value: "": bootstrapToken or file must be set');
    if (bt) {
      if (!TOKEN.test(String(bt.token ?? '')))
        errors.push('discovery.bootstrapToken.token: Invalid value: the bootstrap token is invalid');
      if (!bt.apiServerEndpoint)
        errors.push(
          'discovery.bootstrapToken.apiServerEndpoint: Invalid value: "": the apiServerEndpoint must be set',
        );
      if (!bt.unsafeSkipCAVerification && !(bt.caCertHashes?.length > 0))
        errors.push(
          'discovery.bootstrapToken.caCertHashes: Invalid value: "": using token-based discovery without caCertHashes can be unsafe. Set unsafeSkipCAVerification as true in your kubeadm config file or pass --discovery-token-unsafe-skip-ca-verification flag to continue',
        );
    }
  }
  return { config: errors.length ? undefined : cfg, errors, warnings };
}
