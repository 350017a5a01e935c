// The real haproxy and keepalived config checks. Missing binaries fail the test (CI installs them).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function requireBinary(name: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  if (r.status !== 0 || !path)
    throw new Error(`${name} is not installed: install it (apt-get install -y ${name}) to run these tests`);
  return path;
}

export interface CheckResult {
  ok: boolean;
  output: string;
}

export function haproxyCheck(config: string): CheckResult {
  const dir = mkdtempSync(join(tmpdir(), 'k8sha-haproxy-'));
  try {
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, config);
    const r = spawnSync(requireBinary('haproxy'), ['-c', '-f', file], { encoding: 'utf8' });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * keepalived --config-test with the check script at its real path (/etc/keepalived, on a private
 * tmpfs) and the named interfaces present (veth ends in a throwaway network namespace). Both
 * namespaces die with the process, so nothing is left behind. Needs root.
 */
export function keepalivedCheck(
  config: string,
  checkScript: string | undefined,
  interfaces: string[],
): CheckResult {
  const keepalived = requireBinary('keepalived');
  const dir = mkdtempSync(join(tmpdir(), 'k8sha-keepalived-'));
  try {
    writeFileSync(join(dir, 'keepalived.conf'), config, { mode: 0o600 });
    if (checkScript !== undefined)
      writeFileSync(join(dir, 'check_apiserver.sh'), checkScript, { mode: 0o755 });
    const links = [...new Set(interfaces)]
      .map((name, i) => `ip link add '${name}' type veth peer name 'kpeer${i}' && ip link set '${name}' up`)
      .join(' && ');
    const script = [
      'set -e',
      links || 'true',
      'mkdir -p /etc/keepalived',
      'mount -t tmpfs -o mode=0755 tmpfs /etc/keepalived',
      `cp -p '${dir}'/* /etc/keepalived/`,
      'set +e',
      `'${keepalived}' --config-test -f /etc/keepalived/keepalived.conf`,
    ].join('\n');
    const r = spawnSync('unshare', ['--net', '--mount', '--propagation', 'private', 'sh', '-c', script], {
      encoding: 'utf8',
    });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function binaryVersion(name: string): string {
  const r = spawnSync(requireBinary(name), name === 'haproxy' ? ['-v'] : ['--version'], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.split('\n')[0]!;
}
