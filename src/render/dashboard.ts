// Cluster-level: the optional dashboard. The seed's Kuboard v2 URL is gone; this installs Kuboard v3
// and, instead of the seed's never-expiring secret token, a ServiceAccount whose tokens are minted
// on demand with `kubectl create token` (short-lived).
import type { Answers } from '../answers/schema.js';
import type { Catalog } from '../catalog/schema.js';
import { workers } from '../answers/model.js';
import { quote } from '../shell/quote.js';
import { GENERATED_HEADER, type RenderedFile } from './types.js';

export const KUBOARD_SERVICE_ACCOUNT = 'kuboard-admin';

export interface DashboardAccess {
  url: string;
  tokenCommand: string;
  notes: string[];
}

export function dashboardAccess(a: Answers, catalog: Catalog): DashboardAccess | undefined {
  if (a.addons.dashboard !== 'kuboard') return undefined;
  const k = catalog.addons.kuboard;
  const node = workers(a)[0] ?? a.hosts[0]!;
  return {
    url: `http://${node.address}:${k.nodePort}`,
    tokenCommand: `kubectl -n ${quote(k.namespace)} create token ${KUBOARD_SERVICE_ACCOUNT} --duration=1h`,
    notes: [
      'Kuboard v3 starts with its own default web login (admin / Kuboard123): change that password at the first login.',
      'The token above is valid for one hour; run the command again for a new one.',
    ],
  };
}

export function renderDashboardInstall(a: Answers, catalog: Catalog): RenderedFile | undefined {
  if (a.addons.dashboard !== 'kuboard') return undefined;
  const k = catalog.addons.kuboard;
  return {
    path: 'addons/install-kuboard.sh',
    mode: 0o755,
    kind: 'file',
    purpose: `Kuboard ${k.version} dashboard on NodePort ${k.nodePort}, with ServiceAccount ${KUBOARD_SERVICE_ACCOUNT} for short-lived tokens`,
    content: [
      '#!/bin/sh',
      `# ${GENERATED_HEADER}`,
      'set -eu',
      'export KUBECONFIG=/etc/kubernetes/admin.conf',
      `kubectl apply -f ${quote(k.manifestUrl)}`,
      "kubectl apply -f - <<'EOF'",
      'apiVersion: v1',
      'kind: ServiceAccount',
      'metadata:',
      `  name: ${KUBOARD_SERVICE_ACCOUNT}`,
      `  namespace: ${JSON.stringify(k.namespace)}`,
      '---',
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: ClusterRoleBinding',
      'metadata:',
      `  name: ${KUBOARD_SERVICE_ACCOUNT}`,
      'roleRef:',
      '  apiGroup: rbac.authorization.k8s.io',
      '  kind: ClusterRole',
      '  name: cluster-admin',
      'subjects:',
      '  - kind: ServiceAccount',
      `    name: ${KUBOARD_SERVICE_ACCOUNT}`,
      `    namespace: ${JSON.stringify(k.namespace)}`,
      'EOF',
      '',
    ].join('\n'),
  };
}
