// curl: the lab has no internet. Known manifest and key URLs return small fixtures; localhost and
// lab addresses go to the real curl (health checks use it); everything else fails as offline.
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import calico from './fixtures/calico.yaml';
import kuboard from './fixtures/kuboard-v3.yaml';
import signingKey from './fixtures/signing-key.asc';
import { inv, userPath } from './invocation.js';
import { fail, host } from './env.js';

const WITH_VALUE = new Set([
  '-o',
  '--output',
  '-H',
  '--header',
  '-w',
  '--write-out',
  '--retry',
  '--max-time',
  '-m',
  '--connect-timeout',
  '-X',
  '--request',
  '-d',
  '--data',
  '--data-binary',
  '--cacert',
  '--cert',
  '--key',
  '-u',
  '--user',
  '--resolve',
  '-A',
  '--user-agent',
  '--retry-delay',
  '--retry-max-time',
  '-e',
  '--referer',
  '--interface',
  '-T',
  '--upload-file',
]);

export interface Fixture {
  status: number;
  body: string;
}

/** The simulated internet: fixtures for what installers fetch, 404 on known hosts, offline elsewhere. */
export function fetchFixture(url: string): Fixture | 'offline' {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'offline';
  }
  const path = u.pathname;
  if (u.host === 'raw.githubusercontent.com') {
    const m = /^\/projectcalico\/calico\/(v\d+\.\d+\.\d+)\/manifests\/(calico|calico-typha)\.yaml$/.exec(
      path,
    );
    return m
      ? { status: 200, body: calico.replace(/v3\.32\.1/g, m[1]!) }
      : { status: 404, body: '404: Not Found' };
  }
  if (u.host === 'addons.kuboard.cn')
    return path === '/kuboard/kuboard-v3.yaml'
      ? { status: 200, body: kuboard }
      : { status: 404, body: 'Not Found' };
  if (u.host === 'pkgs.k8s.io' || (u.host === 'mirrors.aliyun.com' && path.startsWith('/kubernetes-new/'))) {
    return /\/(deb\/Release\.key|rpm\/repodata\/repomd\.xml\.key)$/.test(path)
      ? { status: 200, body: signingKey }
      : { status: 404, body: 'Not Found' };
  }
  if (
    u.host === 'download.docker.com' ||
    (u.host === 'mirrors.aliyun.com' && path.startsWith('/docker-ce/'))
  ) {
    if (/\/linux\/(ubuntu|debian|rhel|centos|fedora)\/gpg$/.test(path))
      return { status: 200, body: signingKey };
    return { status: 404, body: 'Not Found' };
  }
  return 'offline';
}

function isLabOrLocal(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.startsWith('127.') || hostname === '[::1]' || hostname === '::1')
    return true;
  const [net, prefix] = host().subnet.split('/') as [string, string];
  const toInt = (ip: string) => ip.split('.').reduce((a, b) => (a << 8) + Number(b), 0) >>> 0;
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(hostname)) return false;
  const mask = (0xffffffff << (32 - Number(prefix))) >>> 0;
  return (toInt(hostname) & mask) >>> 0 === (toInt(net) & mask) >>> 0;
}

export function curl(argv: string[]): void {
  const urls: string[] = [];
  let output: string | undefined;
  let remoteName = false;
  let failOnError = false;
  let silent = false;
  let showError = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-o' || a === '--output') output = argv[++i];
    else if (a === '-O' || a === '--remote-name') remoteName = true;
    else if (WITH_VALUE.has(a)) i++;
    else if (/^-[a-zA-Z]+$/.test(a)) {
      if (a.includes('f')) failOnError = true;
      if (a.includes('s')) silent = true;
      if (a.includes('S')) showError = true;
      if (a.includes('O')) remoteName = true;
      if (a.endsWith('o')) output = argv[++i];
    } else if (a === '--fail') failOnError = true;
    else if (a === '--silent') silent = true;
    else if (a === '--show-error') showError = true;
    else if (!a.startsWith('-')) urls.push(a);
  }
  if (urls.length === 0) fail(2, 'curl: no URL specified!');
  const hosts = urls.map((x) => {
    try {
      return new URL(x).hostname;
    } catch {
      return x;
    }
  });
  // Lab addresses and localhost get the real curl, with this command's own stdio.
  if (hosts.every(isLabOrLocal)) inv().passthrough(['/usr/bin/curl', ...argv]);
  for (const url of urls) {
    const f = fetchFixture(url);
    if (f === 'offline') {
      const msg = `curl: (6) Could not resolve host: ${new URL(url).hostname}`;
      fail(6, silent && !showError ? '' : msg);
    }
    if (f.status >= 400 && failOnError)
      fail(22, silent && !showError ? '' : `curl: (22) The requested URL returned error: ${f.status}`);
    const target = output ?? (remoteName ? basename(new URL(url).pathname) : undefined);
    if (target) writeFileSync(userPath(target), f.body);
    else inv().stdout(f.body);
  }
}
