// `kubeadm upgrade plan | apply vX.Y.Z | node`, with the real rules: kubeadm must be at least the
// target (upgrade it first), one minor at a time, no downgrades, every control plane Ready before
// apply. apply rewrites the cluster's kubeadm-config, this node's control-plane manifests (the
// kubelet stand-in restarts the apiserver with the new version) and kube-proxy's image; node does
// the same for another control plane from the cluster's configuration, and on a worker only the
// kubelet's configuration.
import { existsSync, readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { fail, out, write } from '../env.js';
import { https } from '../http.js';
import { readKubeconfig } from '../kubeconfig.js';
import { kubeletSync } from '../kubelet.js';
import { adminApi, apiFrom, getJson, retrying, sleep, type Api } from './api.js';
import { writeControlPlaneManifests } from './control-plane.js';
import { identity } from './init.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const APISERVER_MANIFEST = '/etc/kubernetes/manifests/kube-apiserver.yaml';

interface Version {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

function version(v: string): Version | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(v.trim());
  return m ? { major: +m[1]!, minor: +m[2]!, patch: +m[3]!, text: `v${m[1]}.${m[2]}.${m[3]}` } : undefined;
}

const less = (a: Version, b: Version) =>
  a.major !== b.major ? a.major < b.major : a.minor !== b.minor ? a.minor < b.minor : a.patch < b.patch;

async function clusterConfig(api: Api): Promise<{ doc: Doc; version: Version }> {
  const cm = await getJson<{ data?: { ClusterConfiguration?: string } }>(
    api,
    '/api/v1/namespaces/kube-system/configmaps/kubeadm-config',
  );
  if (!cm?.data?.ClusterConfiguration)
    fail(
      1,
      '[upgrade/config] FATAL: failed to get config map: configmaps "kubeadm-config" not found\nTo see the stack trace of this error execute with --v=5 or higher',
    );
  const doc = parse(cm.data.ClusterConfiguration) as Doc;
  const v = version(String(doc.kubernetesVersion ?? ''));
  if (!v) fail(1, `[upgrade/config] FATAL: the cluster version ${doc.kubernetesVersion} cannot be parsed`);
  return { doc, version: v };
}

/** This control plane's address, from the manifest kubeadm wrote for its apiserver. */
function advertiseAddress(): string | undefined {
  const text = existsSync(APISERVER_MANIFEST) ? readFileSync(APISERVER_MANIFEST, 'utf8') : '';
  return /--advertise-address=(\S+)/.exec(text)?.[1];
}

async function controlPlanesReady(api: Api): Promise<void> {
  const nodes = await getJson<{
    items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
  }>(api, '/api/v1/nodes?labelSelector=node-role.kubernetes.io%2Fcontrol-plane');
  const notReady = (nodes?.items ?? [])
    .filter((n) => !n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((n) => n.metadata.name);
  if (notReady.length)
    fail(
      1,
      `[preflight] Some fatal errors occurred:\n\t[ERROR ControlPlaneNodesReady]: there are NotReady control-planes in the cluster: [${notReady.join(' ')}]\n[preflight] If you know what you are doing, you can make a check non-fatal with \`--ignore-preflight-errors=...\``,
    );
}

/** Rewrite this node's control-plane manifests for `v` and wait for its apiserver to serve it. */
async function upgradeStaticPods(doc: Doc, v: Version, nodeName: string): Promise<void> {
  const address = advertiseAddress();
  if (!address)
    fail(1, `[upgrade] FATAL: ${APISERVER_MANIFEST} is missing: this node does not run a control plane`);
  const endpoint = String(doc.controlPlaneEndpoint ?? `${address}:6443`);
  out(`[upgrade/staticpods] Writing new Static Pod manifests to "/etc/kubernetes/manifests"`);
  writeControlPlaneManifests(
    identity(
      { apiVersion: String(doc.apiVersion ?? ''), cluster: { ...doc, kubernetesVersion: v.text } },
      nodeName,
      address,
      endpoint,
    ),
  );
  const start = Date.now();
  for (;;) {
    await kubeletSync();
    try {
      const r = await https('https://127.0.0.1:6443/version', { insecure: true, timeoutMs: 2000 });
      if (r.status === 200 && (JSON.parse(r.body) as { gitVersion?: string }).gitVersion === v.text) break;
    } catch {
      // restarting
    }
    if (Date.now() - start > 120_000)
      fail(
        1,
        `[upgrade/staticpods] FATAL: couldn't upgrade control plane. kubeadm has tried to recover everything into the earlier state. Errors faced: timed out waiting for the condition: kube-apiserver did not come up with ${v.text}`,
      );
    await sleep(300);
  }
  out(`[upgrade/staticpods] Component "kube-apiserver" upgraded successfully!`);
}

async function putConfigMap(api: Api, name: string, data: Record<string, string>): Promise<void> {
  const path = `/api/v1/namespaces/kube-system/configmaps/${name}`;
  const cm = await getJson<Doc>(api, path);
  if (!cm) fail(1, `[upgrade/upload-config] FATAL: configmaps "${name}" not found`);
  const r = await retrying(api, `[upgrade/upload-config] FATAL: error updating ${name}`, 'PUT', path, {
    ...cm,
    data: { ...cm.data, ...data },
  });
  if (r.status >= 300)
    fail(1, `[upgrade/upload-config] FATAL: error updating ${name}: ${r.body.slice(0, 200)}`);
}

async function upgradeKubeProxy(api: Api, doc: Doc, v: Version): Promise<void> {
  const path = '/apis/apps/v1/namespaces/kube-system/daemonsets/kube-proxy';
  const ds = await getJson<Doc>(api, path);
  if (!ds) return;
  const repo = String(doc.imageRepository ?? 'registry.k8s.io');
  ds.spec.template.spec.containers[0].image = `${repo}/kube-proxy:${v.text}`;
  const r = await retrying(api, '[upgrade/addons] FATAL: error updating kube-proxy', 'PUT', path, ds);
  if (r.status >= 300) fail(1, `[upgrade/addons] FATAL: error updating kube-proxy: ${r.body.slice(0, 200)}`);
  out('[addons] Applied essential addon: kube-proxy');
}

/** The kubelet's configuration from the cluster, as `kubeadm upgrade` writes it on every node. */
async function writeKubeletConfig(api: Api): Promise<void> {
  const cm = await getJson<{ data?: { kubelet?: string } }>(
    api,
    '/api/v1/namespaces/kube-system/configmaps/kubelet-config',
  );
  if (cm?.data?.kubelet) write('/var/lib/kubelet/config.yaml', cm.data.kubelet, 0o644);
  out('[upgrade] Backing up kubelet config file to /etc/kubernetes/tmp/kubeadm-kubelet-config.yaml');
  out('[kubelet-start] Writing kubelet configuration to file "/var/lib/kubelet/config.yaml"');
}

function checkTarget(target: Version, kubeadm: Version, cluster: Version): void {
  const errors: string[] = [];
  if (less(kubeadm, target))
    errors.push(
      `Specified version to upgrade to "${target.text}" is higher than the kubeadm version "${kubeadm.text}". Upgrade kubeadm first using the tool you used to install kubeadm`,
    );
  if (target.major === cluster.major && target.minor > cluster.minor + 1)
    errors.push(
      `Specified version to upgrade to "${target.text}" is too high; kubeadm can upgrade only 1 minor version at a time`,
    );
  if (less(target, cluster))
    errors.push(
      `Specified version to upgrade to "${target.text}" is lower than the cluster version "${cluster.text}". Downgrades are not supported yet`,
    );
  if (errors.length)
    fail(
      1,
      `[upgrade/version] FATAL: the --version argument is invalid due to these errors:\n\n${errors.map((e) => `\t- ${e}`).join('\n')}\n\nCan be bypassed if you pass the --force flag`,
    );
}

export async function upgrade(argv: string[], kubeadmVersion: string, nodeName: string): Promise<void> {
  const [sub, ...rest] = argv;
  const kubeadm = version(kubeadmVersion)!;
  const controlPlane = existsSync('/etc/kubernetes/admin.conf');
  switch (sub) {
    case 'plan': {
      const api = adminApi();
      const { version: cluster } = await clusterConfig(api);
      const target = rest[0] && !rest[0].startsWith('-') ? version(rest[0]) : kubeadm;
      if (!target) fail(1, `[upgrade/plan] FATAL: ${rest[0]} is not a version`);
      checkTarget(target, kubeadm, cluster);
      out(`[upgrade/versions] Cluster version: ${cluster.text}`);
      out(`[upgrade/versions] kubeadm version: ${kubeadm.text}`);
      out(`[upgrade/versions] Target version: ${target.text}`);
      out(
        `\nComponents that must be upgraded manually after you have upgraded the control plane with 'kubeadm upgrade apply':\nCOMPONENT   NODE      CURRENT   TARGET\nkubelet     (all)     ?         ${target.text}\n\nUpgrade to the latest version in the ${target.major}.${target.minor} series:\n\nCOMPONENT                 NODE      CURRENT   TARGET\nkube-apiserver            ${nodeName}  ${cluster.text}   ${target.text}\n\nYou can now apply the upgrade by executing the following command:\n\n\tkubeadm upgrade apply ${target.text}\n`,
      );
      return;
    }
    case 'apply': {
      const target = version(rest.find((a) => !a.startsWith('-')) ?? '');
      if (!target) fail(1, 'missing version argument: kubeadm upgrade apply [version]');
      if (!rest.includes('--yes') && !rest.includes('-y') && !rest.includes('--yes=true'))
        fail(
          1,
          "[upgrade] FATAL: won't proceed; the user didn't answer (Y|y) in order to continue (pass --yes)",
        );
      if (!controlPlane)
        fail(
          1,
          '[upgrade] FATAL: couldn\'t create a Kubernetes client from file "/etc/kubernetes/admin.conf": failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory',
        );
      const api = adminApi();
      const { doc, version: cluster } = await clusterConfig(api);
      out('[upgrade/config] Making sure the configuration is correct:');
      await controlPlanesReady(api);
      checkTarget(target, kubeadm, cluster);
      out(`[upgrade/version] You have chosen to change the cluster version to "${target.text}"`);
      out(
        `[upgrade/versions] Cluster version: ${cluster.text}\n[upgrade/versions] kubeadm version: ${kubeadm.text}`,
      );
      await upgradeStaticPods(doc, target, nodeName);
      out('[upgrade/upload-config] Uploading the kubeadm ClusterConfiguration to a ConfigMap');
      await putConfigMap(api, 'kubeadm-config', {
        ClusterConfiguration: stringify({ ...doc, kubernetesVersion: target.text }),
      });
      await writeKubeletConfig(api);
      await upgradeKubeProxy(api, doc, target);
      out(
        `\n[upgrade/successful] SUCCESS! A control plane node of your cluster was upgraded to "${target.text}".\n\n[upgrade/kubelet] Now please proceed with upgrading the rest of the nodes by following the right order.`,
      );
      return;
    }
    case 'node': {
      if (!controlPlane) {
        const api = apiFrom(readKubeconfig('/etc/kubernetes/kubelet.conf'));
        out('[upgrade] Reading configuration from the cluster...');
        out('[upgrade/control-plane] Skipping phase. Not a control plane node.');
        await writeKubeletConfig(api);
        out('[upgrade] The configuration for this node was successfully upgraded!');
        return;
      }
      const api = adminApi();
      const { doc, version: cluster } = await clusterConfig(api);
      out('[upgrade] Reading configuration from the cluster...');
      if (less(kubeadm, cluster))
        fail(
          1,
          `[upgrade/version] FATAL: the kubeadm version "${kubeadm.text}" is lower than the cluster version "${cluster.text}": upgrade kubeadm first using the tool you used to install kubeadm`,
        );
      out(
        `[upgrade] Upgrading your Static Pod-hosted control plane instance to version "${cluster.text}"...`,
      );
      await upgradeStaticPods(doc, cluster, nodeName);
      await writeKubeletConfig(api);
      out('[upgrade] The control plane instance for this node was successfully upgraded!');
      out('[upgrade] The configuration for this node was successfully upgraded!');
      return;
    }
    default:
      fail(1, `unknown command "${sub ?? ''}" for "kubeadm upgrade"`);
  }
}
