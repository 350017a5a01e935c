// kubeadm, as far as the wizard depends on it. Each subcommand lives in its own file; this one picks
// it, checks that the kubeadm package is installed, and reads --config with kubeadm's rules.
import { randomBytes } from 'node:crypto';
import { commandNotFound, err, fail, host, out } from '../env.js';
import { checkKubeadmConfig, type KubeadmConfig } from '../kubeadm-config.js';
import { installedPackages } from '../packages.js';
import { configPath, flag, hostName } from './api.js';
import { checkExpiration, renewAll } from './certs.js';
import { init } from './init.js';
import { join } from './join.js';
import { reset } from './reset.js';
import { tokenCommand, uploadCertsPhase } from './tokens.js';
import { upgrade } from './upgrade.js';

function kubeadmVersion(): string {
  const p = installedPackages().kubeadm;
  if (!p) commandNotFound('kubeadm');
  return p.version;
}

function loadConfig(argv: string[], version: string): KubeadmConfig | undefined {
  const path = configPath(argv);
  if (!path) return undefined;
  const r = checkKubeadmConfig(path, version);
  for (const w of r.warnings) err(w);
  if (!r.config) fail(1, ...r.errors);
  return r.config;
}

export async function kubeadm(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const version = kubeadmVersion();
  switch (sub) {
    case 'version': {
      if (flag(rest, '-o') === 'short' || rest.includes('-oshort')) return out(`v${version}`);
      const [, minor] = version.split('.');
      return out(
        `kubeadm version: &version.Info{Major:"1", Minor:"${minor}", GitVersion:"v${version}", GitTreeState:"clean", GoVersion:"go1.25.3", Compiler:"gc", Platform:"linux/amd64"}`,
      );
    }
    case 'init':
      if (rest[0] === 'phase' && rest[1] === 'upload-certs')
        return uploadCertsPhase(rest.slice(2), loadConfig(rest, version));
      if (rest[0] === 'phase') fail(1, `lab kubeadm: init phase ${rest[1] ?? ''} is not simulated`);
      return init(
        rest,
        loadConfig(rest, version) ?? fail(1, 'lab kubeadm: init is simulated with --config FILE'),
        hostName(),
        host().address,
      );
    case 'join':
      return join(rest, loadConfig(rest, version), hostName(), host().address);
    case 'reset':
      return reset(rest);
    case 'upgrade':
      return upgrade(rest, version, hostName());
    case 'token':
      return tokenCommand(rest, flag(rest, '--config') ? loadConfig(rest, version) : undefined);
    case 'certs':
      if (rest[0] === 'certificate-key') return out(randomBytes(32).toString('hex'));
      if (rest[0] === 'check-expiration') return checkExpiration();
      if (rest[0] === 'renew' && rest[1] === 'all') return renewAll();
      return fail(1, `lab kubeadm: certs ${rest[0] ?? ''} is not simulated`);
    case 'config': {
      if (rest[0] === 'validate') {
        const path = configPath(rest);
        if (!path) fail(1, 'required flag(s) "config" not set');
        const r = checkKubeadmConfig(path, version);
        for (const w of r.warnings) err(w);
        if (r.errors.length) fail(1, ...r.errors);
        return out('ok');
      }
      if (rest[0] === 'images' && rest[1] === 'list') {
        const cfg = loadConfig(rest, version);
        const repo = String(cfg?.cluster?.imageRepository ?? 'registry.k8s.io');
        const v = String(cfg?.cluster?.kubernetesVersion ?? `v${version}`);
        for (const c of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy'])
          out(`${repo}/${c}:${v}`);
        out(repo === 'registry.k8s.io' ? `${repo}/coredns/coredns:v1.13.1` : `${repo}/coredns:v1.13.1`);
        out(`${repo}/pause:3.10.1\n${repo}/etcd:3.6.6-0`);
        return;
      }
      return fail(1, `lab kubeadm: config ${rest[0] ?? ''} is not simulated`);
    }
    default:
      fail(1, `unknown command "${sub ?? ''}" for "kubeadm"`);
  }
}
