// `k8sha-wizard validate --answers FILE`: a one-line summary, or every problem with its place.
import { controlPlanes, apiEndpointText, resolvedVersion, workers } from '../answers/model.js';
import { answersFrom, out, type CatalogFlag } from './common.js';

export function validateCommand(opts: { answers?: string } & CatalogFlag): void {
  const { answers: a, catalog, file } = answersFrom(opts);
  const v = resolvedVersion(a, catalog);
  out(
    `${file}: valid. Cluster ${a.cluster.name}: Kubernetes ${v.patch}, ${controlPlanes(a).length} control plane(s), ` +
      `${workers(a).length} worker(s), endpoint ${apiEndpointText(a)}, pods ${a.network.podCIDR}, services ${a.network.serviceCIDR}, ` +
      `kube-proxy ${a.network.proxyMode}, mirror ${a.mirror}.`,
  );
}
