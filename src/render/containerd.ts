// /etc/containerd/config.toml: systemd cgroups and the sandbox (pause) image from the chosen mirror,
// in the config version the containerd major understands. SystemdCgroup is written explicitly
// because containerd 2.0/2.1 `config default` omits it, so the classic sed silently does nothing.
import type { Answers } from '../answers/schema.js';
import type { Catalog } from '../catalog/schema.js';
import { effectiveMirror, resolvedVersion } from '../answers/model.js';
import { tomlString } from '../shell/quote.js';
import { GENERATED_HEADER, type RenderedFile } from './types.js';

export function containerdVersion(a: Answers, catalog: Catalog): string {
  return a.versions?.containerd ?? resolvedVersion(a, catalog).entry.containerd.version;
}

export function sandboxImage(a: Answers, catalog: Catalog): string {
  return `${effectiveMirror(a, catalog).imageRepository}/${resolvedVersion(a, catalog).entry.pauseImage}`;
}

/**
 * The config version a containerd release writes and reads natively: 2 for 1.x, 3 for 2.0–2.2, 4 for
 * 2.3+ (2.1 and 2.2 refuse 4; 2.3 migrates 3 in memory, but tools that read the file expect 4).
 */
export function containerdConfigVersion(version: string): 2 | 3 | 4 {
  const [major, minor] = version.split('.').map(Number);
  if (major! < 2) return 2;
  return major === 2 && minor! < 3 ? 3 : 4;
}

export function renderContainerdConfig(a: Answers, catalog: Catalog): RenderedFile {
  const version = containerdVersion(a, catalog);
  const configVersion = containerdConfigVersion(version);
  const pause = sandboxImage(a, catalog);
  const body =
    configVersion >= 3
      ? [
          `# containerd ${version}: config version ${configVersion}.`,
          `version = ${configVersion}`,
          '',
          "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]",
          '  SystemdCgroup = true',
          '',
          "[plugins.'io.containerd.cri.v1.images'.pinned_images]",
          `  sandbox = ${tomlString(pause)}`,
          '',
          "[plugins.'io.containerd.cri.v1.images'.registry]",
          "  config_path = '/etc/containerd/certs.d'",
        ]
      : [
          '# containerd 1.x: config version 2.',
          'version = 2',
          '',
          '[plugins."io.containerd.grpc.v1.cri"]',
          `  sandbox_image = ${tomlString(pause)}`,
          '',
          '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
          '  SystemdCgroup = true',
          '',
          '[plugins."io.containerd.grpc.v1.cri".registry]',
          '  config_path = "/etc/containerd/certs.d"',
        ];
  return {
    path: '/etc/containerd/config.toml',
    mode: 0o644,
    kind: 'file',
    purpose: `containerd ${version} (config version ${configVersion}): systemd cgroup driver (matches the kubelet) and sandbox image ${pause}`,
    content: [`# ${GENERATED_HEADER}`, ...body, ''].join('\n'),
  };
}
