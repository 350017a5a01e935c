// Cluster-level: how Calico is fetched, patched and applied. The manifest is downloaded at a pinned
// version on the first control plane, its commented CALICO_IPV4POOL_CIDR block is uncommented and set
// to podCIDR (the seed's step 7.2, done by a program instead of vi), then applied with admin.conf.
import { resolvedVersion } from '../answers/model.js';
import type { Answers } from '../answers/schema.js';
import type { Catalog } from '../catalog/schema.js';
import { quote } from '../shell/quote.js';
import { fillTemplate } from './template.js';
import { GENERATED_HEADER, type RenderedFile } from './types.js';

export const CLUSTER_WORK_DIR = '/var/lib/k8sha-wizard';

export function calicoVersion(a: Answers, catalog: Catalog): string {
  return a.versions?.calico ?? resolvedVersion(a, catalog).entry.calico.version;
}

export function calicoManifestUrl(a: Answers, catalog: Catalog): string {
  const version = calicoVersion(a, catalog);
  const typha = a.hosts.length > catalog.calico.typhaAboveNodes;
  return fillTemplate(typha ? catalog.calico.typhaManifestUrl : catalog.calico.manifestUrl, { version });
}

// Uncomment-and-set, keeping the manifest's indentation; exit 3 if the block is not found, so a
// changed upstream layout fails loudly instead of silently keeping Calico's 192.168.0.0/16.
const PATCH_AWK = String.raw`
fix {
  if ($0 ~ /^[[:space:]]*(#   |  )value:/) {
    ind = $0; sub(/[^[:space:]].*$/, "", ind)
    if ($0 ~ /#/) ind = ind "  "
    print ind "value: \"" cidr "\""
    print name_ind "- name: IP_AUTODETECTION_METHOD"
    print name_ind "  value: \"kubernetes-internal-ip\""
    done = 1; fix = 0; next
  }
  fix = 0
}
/^[[:space:]]*(# )?- name: CALICO_IPV4POOL_CIDR[[:space:]]*$/ {
  sub(/# - name/, "- name"); print
  name_ind = $0; sub(/[^[:space:]].*$/, "", name_ind)
  fix = 1; next
}
{ print }
END { if (!done) exit 3 }`.trim();

export function renderCalicoInstall(a: Answers, catalog: Catalog): RenderedFile {
  const version = calicoVersion(a, catalog);
  const url = calicoManifestUrl(a, catalog);
  const dir = `${CLUSTER_WORK_DIR}/calico-${version}`;
  return {
    path: 'cni/install-calico.sh',
    mode: 0o755,
    kind: 'file',
    purpose: `Calico ${version}: download, set CALICO_IPV4POOL_CIDR=${a.network.podCIDR}, apply (runs on the first control plane)`,
    content: [
      '#!/bin/sh',
      `# ${GENERATED_HEADER}`,
      `# Calico ${version} for cluster ${a.cluster.name}; pod network ${a.network.podCIDR}.`,
      '# Node addresses come from the kubelet (node-ip), so multi-homed hosts use the right NIC.',
      'set -eu',
      'export KUBECONFIG=/etc/kubernetes/admin.conf',
      `url=${quote(url)}`,
      `pod_cidr=${quote(a.network.podCIDR)}`,
      `dir=${quote(dir)}`,
      'mkdir -p "$dir"',
      'curl -fsSL --retry 3 --max-time 300 -o "$dir/calico.orig.yaml" "$url"',
      'if ! awk -v cidr="$pod_cidr" \'',
      PATCH_AWK,
      `' "$dir/calico.orig.yaml" > "$dir/calico.yaml"; then`,
      '  echo "install-calico: no CALICO_IPV4POOL_CIDR block in $url; the manifest layout changed" >&2',
      '  exit 3',
      'fi',
      'kubectl apply -f "$dir/calico.yaml"',
      '',
    ].join('\n'),
  };
}
