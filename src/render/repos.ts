// Package repository files for Kubernetes (pkgs.k8s.io, one repo per minor) and Docker CE
// (containerd.io), as yum .repo for RHEL-family hosts and apt .list for Debian-family hosts.
import { effectiveMirror, resolvedVersion, type HostFacts } from '../answers/model.js';
import type { Answers } from '../answers/schema.js';
import type { Catalog } from '../catalog/schema.js';
import { fillTemplate } from './template.js';
import { GENERATED_HEADER, type OsFamily, type RenderedFile } from './types.js';

export const APT_KEYRING_DIR = '/etc/apt/keyrings';
export const K8S_APT_KEYRING = `${APT_KEYRING_DIR}/kubernetes-apt-keyring.asc`;
export const DOCKER_APT_KEYRING = `${APT_KEYRING_DIR}/docker.asc`;

/** Debian-family distro and codename for Docker's apt repo; ubuntu/noble when unknown. */
export function debTarget(facts?: HostFacts): { distro: string; codename: string; guessed: boolean } {
  if (facts?.distro && facts.codename)
    return { distro: facts.distro, codename: facts.codename, guessed: false };
  return { distro: 'ubuntu', codename: 'noble', guessed: true };
}

export function renderRepoFiles(a: Answers, catalog: Catalog, facts?: HostFacts): RenderedFile[] {
  const { minor } = resolvedVersion(a, catalog);
  const mirror = effectiveMirror(a, catalog);
  const families: OsFamily[] = facts?.osFamily ? [facts.osFamily] : ['rhel', 'debian'];
  const out: RenderedFile[] = [];
  if (families.includes('rhel')) {
    const k = mirror.kubernetes.rpm;
    const d = mirror.dockerCe.rpm;
    out.push({
      path: '/etc/yum.repos.d/kubernetes.repo',
      mode: 0o644,
      kind: 'file',
      osFamily: 'rhel',
      purpose: `Kubernetes ${minor} packages (${a.mirror} mirror); excluded from plain upgrades`,
      content: [
        `# ${GENERATED_HEADER}`,
        '# One repository per minor: change the URL to upgrade to the next minor.',
        '[kubernetes]',
        `name=Kubernetes v${minor}`,
        `baseurl=${fillTemplate(k.baseurl, { minor })}`,
        'enabled=1',
        'gpgcheck=1',
        `gpgkey=${fillTemplate(k.gpgkey, { minor })}`,
        '# Installs and upgrades need --disableexcludes=kubernetes, so a routine `dnf upgrade` never moves them.',
        'exclude=kubelet kubeadm kubectl cri-tools kubernetes-cni',
        '',
      ].join('\n'),
    });
    out.push({
      path: '/etc/yum.repos.d/docker-ce.repo',
      mode: 0o644,
      kind: 'file',
      osFamily: 'rhel',
      purpose: `Docker CE repository (${a.mirror} mirror), used only for the containerd.io package`,
      content: [
        `# ${GENERATED_HEADER}`,
        '[docker-ce-stable]',
        'name=Docker CE Stable - $basearch',
        `baseurl=${d.baseurl}`,
        'enabled=1',
        'gpgcheck=1',
        `gpgkey=${d.gpgkey}`,
        '',
      ].join('\n'),
    });
  }
  if (families.includes('debian')) {
    const { distro, codename } = debTarget(facts);
    out.push({
      path: '/etc/apt/sources.list.d/kubernetes.list',
      mode: 0o644,
      kind: 'file',
      osFamily: 'debian',
      purpose: `Kubernetes ${minor} packages (${a.mirror} mirror), signed by ${K8S_APT_KEYRING}`,
      content: [
        `# ${GENERATED_HEADER}`,
        `deb [signed-by=${K8S_APT_KEYRING}] ${fillTemplate(mirror.kubernetes.deb.url, { minor })} /`,
        '',
      ].join('\n'),
    });
    out.push({
      path: '/etc/apt/sources.list.d/docker.list',
      mode: 0o644,
      kind: 'file',
      osFamily: 'debian',
      purpose: `Docker CE repository for ${distro} ${codename} (${a.mirror} mirror), used only for containerd.io`,
      content: [
        `# ${GENERATED_HEADER}`,
        `deb [signed-by=${DOCKER_APT_KEYRING}] ${fillTemplate(mirror.dockerCe.deb.url, { distro, codename })} ${codename} stable`,
        '',
      ].join('\n'),
    });
  }
  return out;
}

/** The signing keys apt needs before it can use the .list files above. */
export function aptKeys(a: Answers, catalog: Catalog, facts?: HostFacts): { path: string; url: string }[] {
  const { minor } = resolvedVersion(a, catalog);
  const mirror = effectiveMirror(a, catalog);
  const { distro, codename } = debTarget(facts);
  return [
    { path: K8S_APT_KEYRING, url: fillTemplate(mirror.kubernetes.deb.key, { minor }) },
    { path: DOCKER_APT_KEYRING, url: fillTemplate(mirror.dockerCe.deb.key, { distro, codename }) },
  ];
}
