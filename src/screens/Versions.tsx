// Screen: containerd and Calico versions (defaults from the catalog) and the mirror: official,
// aliyun, or custom URLs for an internal mirror.
import { useState } from 'react';
import { resolveKubernetesVersion } from '../catalog/resolve.js';
import { checkDraft } from '../wizard/check-draft.js';
import { messageFor, type Draft } from '../wizard/draft.js';
import { Form, type Field } from './components/Form.js';
import { Title } from './components/Title.js';
import type { ScreenProps } from './types.js';

export function Versions({ draft, catalog, step, onSubmit, onBack }: ScreenProps) {
  const r = resolveKubernetesVersion(catalog, draft.cluster.kubernetesVersion ?? catalog.recommended);
  const entry = r.ok ? r.value.entry : undefined;
  const v = draft.versions ?? {};
  const o = (draft.mirrorOverrides ?? {}) as {
    imageRepository?: string;
    kubernetes?: { rpm?: { baseurl?: string; gpgkey?: string } };
  };
  const [containerd, setContainerd] = useState(String(v.containerd ?? ''));
  const [calico, setCalico] = useState(String(v.calico ?? ''));
  const [mirror, setMirror] = useState(draft.mirrorOverrides ? 'custom' : String(draft.mirror ?? 'official'));
  const [images, setImages] = useState(o.imageRepository ?? '');
  const [rpmUrl, setRpmUrl] = useState(o.kubernetes?.rpm?.baseurl ?? '');
  const custom = mirror === 'custom';
  const next: Draft = {
    ...draft,
    versions: { containerd: containerd.trim() || undefined, calico: calico.trim() || undefined },
    mirror: custom ? (draft.mirror ?? 'official') : mirror,
    mirrorOverrides: custom
      ? {
          imageRepository: images.trim() || undefined,
          ...(rpmUrl.trim()
            ? {
                kubernetes: {
                  rpm: {
                    baseurl: rpmUrl.trim(),
                    gpgkey: `${rpmUrl.trim().replace(/\/$/, '')}/repodata/repomd.xml.key`,
                  },
                },
              }
            : {}),
        }
      : undefined,
  };
  const problems = checkDraft(next, catalog).problems;
  const fields: Field[] = [
    {
      kind: 'text',
      key: 'containerd',
      label: 'containerd',
      value: containerd,
      onChange: setContainerd,
      placeholder: entry ? `${entry.containerd.version} (catalog)` : '',
      hint: entry ? `at least ${entry.containerd.minimum} for this Kubernetes minor` : undefined,
      error: messageFor(problems, 'versions.containerd'),
    },
    {
      kind: 'text',
      key: 'calico',
      label: 'Calico',
      value: calico,
      onChange: setCalico,
      placeholder: entry ? `${entry.calico.version} (catalog)` : '',
      error: messageFor(problems, 'versions.calico'),
    },
    {
      kind: 'choice',
      key: 'mirror',
      label: 'Mirror',
      value: mirror,
      options: [
        { value: 'official', label: 'official (pkgs.k8s.io, registry.k8s.io, download.docker.com)' },
        { value: 'aliyun', label: 'aliyun (mirrors.aliyun.com, registry.aliyuncs.com)' },
        { value: 'custom', label: 'custom URLs' },
      ],
      onChange: setMirror,
    },
  ];
  if (custom) {
    fields.push(
      {
        kind: 'text',
        key: 'images',
        label: 'Image repository',
        value: images,
        onChange: setImages,
        placeholder: 'e.g. harbor.example.com/k8s',
        error: messageFor(problems, 'mirrorOverrides.imageRepository'),
      },
      {
        kind: 'text',
        key: 'rpm',
        label: 'Kubernetes rpm repo',
        value: rpmUrl,
        onChange: setRpmUrl,
        placeholder: 'e.g. https://repo.example.com/k8s/v{minor}/rpm/',
        hint: '{minor} is replaced by the Kubernetes minor',
        error: messageFor(problems, 'mirrorOverrides.kubernetes.rpm.baseurl'),
      },
    );
  }
  return (
    <>
      <Title
        step={step}
        title="Versions and mirrors"
        help="Leave a version empty to use the catalog's. The mirror decides where packages and images come from."
      />
      <Form fields={fields} onSubmit={() => onSubmit(next)} onBack={onBack} />
    </>
  );
}
