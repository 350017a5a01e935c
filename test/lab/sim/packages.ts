// dnf/yum/rpm and apt-get/apt-mark/dpkg, with the real tools' messages and exit codes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandNotFound, err, fail, isRhel, now, osSpec, out, readState, write, writeState } from './env.js';
import { BASE_PACKAGES, classifyRepoUrl, DEPENDS, offers, type PackageOffer } from './repos.js';
import { packageInstalled as afterInstall } from './units.js';

export interface Installed {
  version: string;
  full: string;
  held?: boolean;
}
type InstalledMap = Record<string, Installed>;

const PREINSTALLED_RHEL = [
  'curl',
  'openssl',
  'tar',
  'chrony',
  'firewalld',
  'iptables-nft',
  'policycoreutils-python-utils',
];
const PREINSTALLED_DEB = ['curl', 'openssl', 'ca-certificates', 'gnupg', 'gpg', 'tar', 'iptables'];

export function installedPackages(): InstalledMap {
  return readState<InstalledMap>('packages', () => {
    const names = isRhel() ? PREINSTALLED_RHEL : PREINSTALLED_DEB;
    return Object.fromEntries(names.map((n) => [n, { version: BASE_PACKAGES[n]!, full: BASE_PACKAGES[n]! }]));
  });
}

export function isInstalled(name: string): boolean {
  return installedPackages()[name] !== undefined;
}

async function record(offer: PackageOffer): Promise<void> {
  const all = installedPackages();
  all[offer.name] = {
    version: offer.version,
    full: offer.full,
    ...(all[offer.name]?.held ? { held: true } : {}),
  };
  writeState('packages', all);
  await afterInstall(offer.name, offer.version);
}

function baseOffers(repo: string): PackageOffer[] {
  return Object.entries(BASE_PACKAGES).map(([name, v]) => ({ name, version: v, full: v, repo }));
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

function newest(xs: PackageOffer[]): PackageOffer | undefined {
  return [...xs].sort((a, b) => compareVersions(b.version, a.version))[0];
}

// ---------------------------------------------------------------- dnf / yum

interface YumRepo {
  id: string;
  baseurl?: string;
  enabled: boolean;
  exclude: string[];
  file: string;
}

function parseYumRepos(): YumRepo[] {
  const dir = '/etc/yum.repos.d';
  if (!existsSync(dir)) return [];
  const repos: YumRepo[] = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.repo'))
    .sort()) {
    let cur: YumRepo | undefined;
    for (const raw of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const sec = /^\[(.+)\]$/.exec(line);
      if (sec) {
        cur = { id: sec[1]!, enabled: true, exclude: [], file: f };
        repos.push(cur);
        continue;
      }
      const kv = /^([\w.]+)\s*=\s*(.*)$/.exec(line);
      if (!kv || !cur) continue;
      const [, k, v] = kv;
      if (k === 'baseurl') cur.baseurl = v!.split(/\s+/)[0];
      if (k === 'enabled') cur.enabled = v === '1';
      if (k === 'exclude' || k === 'excludepkgs') cur.exclude.push(...v!.split(/[\s,]+/).filter(Boolean));
    }
  }
  return repos;
}

function dnfAvailable(disableExcludes: Set<string>): {
  offers: PackageOffer[];
  excluded: Set<string>;
  problems: string[];
} {
  const all: PackageOffer[] = [];
  const excluded = new Set<string>();
  const problems: string[] = [];
  for (const r of parseYumRepos().filter((x) => x.enabled)) {
    if (!r.baseurl) {
      // The distribution's own repositories (mirrorlist=...): the base packages.
      if (r.file === `${osSpec().id}.repo`) all.push(...baseOffers(r.id));
      continue;
    }
    const known = classifyRepoUrl(r.baseurl, 'rpm');
    if ('error' in known) {
      const why =
        known.error === 'offline'
          ? `Curl error (6): Couldn't resolve host name for ${r.baseurl.replace(/\/*$/, '/')}repodata/repomd.xml`
          : `Status code: 404 for ${r.baseurl.replace(/\/*$/, '/')}repodata/repomd.xml`;
      problems.push(
        `Errors during downloading metadata for repository '${r.id}':\n  - ${why}\nError: Failed to download metadata for repo '${r.id}': Cannot download repomd.xml: Cannot download repodata/repomd.xml: All mirrors were tried`,
      );
      continue;
    }
    const list = offers(r.id, known, 'rpm');
    const skipExcludes = disableExcludes.has(r.id) || disableExcludes.has('all');
    for (const o of list) {
      if (!skipExcludes && r.exclude.includes(o.name)) excluded.add(o.name);
      else all.push(o);
    }
  }
  return { offers: all, excluded, problems };
}

function matchSpec(spec: string, candidates: PackageOffer[]): { name: string; offer?: PackageOffer } {
  const exact = candidates.filter((o) => o.name === spec);
  if (exact.length) return { name: spec, offer: newest(exact) };
  // name-version or name-version-release
  for (const o of candidates) {
    if (spec.startsWith(`${o.name}-`)) {
      const ver = spec.slice(o.name.length + 1);
      const hits = candidates.filter(
        (c) =>
          c.name === o.name &&
          (c.version === ver ||
            c.full === ver ||
            c.full.startsWith(`${ver}-`) ||
            c.full.startsWith(`${ver}.`)),
      );
      return { name: o.name, offer: newest(hits) };
    }
  }
  const name = spec.replace(/-\d.*$/, '');
  return { name };
}

export async function dnf(cmd: 'dnf' | 'yum', argv: string[]): Promise<void> {
  if (!isRhel()) commandNotFound(cmd);
  const args = argv.filter((a) => !a.startsWith('-'));
  const flags = argv.filter((a) => a.startsWith('-'));
  const yes = flags.includes('-y') || flags.includes('--assumeyes');
  const disable = new Set<string>();
  for (const f of flags) {
    const m = /^--(?:disableexcludes|setopt=disable_excludes)=(.+)$/.exec(f);
    if (m) m[1]!.split(',').forEach((x) => disable.add(x));
  }
  const sub = args[0];
  switch (sub) {
    case 'install': {
      const specs = args.slice(1);
      if (specs.length === 0) fail(1, 'Error: Need to pass a list of pkgs to install');
      const avail = dnfAvailable(disable);
      if (avail.problems.length) fail(1, avail.problems.join('\n'));
      const chosen: PackageOffer[] = [];
      const missing: string[] = [];
      for (const spec of specs) {
        const m = matchSpec(spec, avail.offers);
        if (m.offer) chosen.push(m.offer);
        else {
          missing.push(spec);
          err(`No match for argument: ${spec}`);
          if (avail.excluded.has(m.name))
            err(`All matches were filtered out by exclude filtering for argument: ${spec}`);
        }
      }
      if (missing.length) fail(1, `Error: Unable to find a match: ${missing.join(' ')}`);
      for (const c of [...chosen])
        for (const dep of DEPENDS[c.name] ?? [])
          if (!chosen.some((x) => x.name === dep) && !isInstalled(dep)) {
            const d = newest(avail.offers.filter((o) => o.name === dep));
            if (!d)
              fail(
                1,
                `Error:\n Problem: conflicting requests\n  - nothing provides ${dep} needed by ${c.name}-${c.full}.x86_64`,
              );
            chosen.push(d);
          }
      const have = installedPackages();
      const todo = chosen.filter((c) => have[c.name]?.full !== c.full);
      for (const c of chosen.filter((x) => !todo.includes(x)))
        out(`Package ${c.name}-${c.full}.x86_64 is already installed.`);
      if (todo.length === 0) {
        out('Dependencies resolved.\nNothing to do.\nComplete!');
        return;
      }
      out('Dependencies resolved.');
      for (const c of todo) out(` ${c.name.padEnd(20)} x86_64   ${c.full.padEnd(22)} ${c.repo}`);
      if (!yes) {
        out('Is this ok [y/N]: ');
        fail(1, 'Operation aborted.');
      }
      for (const c of todo) await record(c);
      out(`\nInstalled:\n${todo.map((c) => `  ${c.name}-${c.full}.x86_64`).join('\n')}\n\nComplete!`);
      return;
    }
    case 'upgrade':
    case 'update': {
      // Installed packages only, each to the newest version on offer (dnf install of a name that is
      // installed does not upgrade it: the package is there, which is all install checks).
      const avail = dnfAvailable(disable);
      if (avail.problems.length) fail(1, avail.problems.join('\n'));
      const have = installedPackages();
      const todo: PackageOffer[] = [];
      for (const name of args.slice(1)) {
        if (!have[name]) {
          err(`Package ${name} available, but not installed.\nNo match for argument: ${name}`);
          fail(1, 'Error: No packages marked for upgrade.');
        }
        const n = newest(avail.offers.filter((o) => o.name === name));
        if (n && compareVersions(n.version, have[name]!.version) > 0) todo.push(n);
      }
      if (todo.length === 0) {
        out('Dependencies resolved.\nNothing to do.\nComplete!');
        return;
      }
      for (const c of todo) await record(c);
      out(`\nUpgraded:\n${todo.map((c) => `  ${c.name}-${c.full}.x86_64`).join('\n')}\n\nComplete!`);
      return;
    }
    case 'remove':
    case 'erase': {
      const have = installedPackages();
      for (const n of args.slice(1)) delete have[n];
      writeState('packages', have);
      out('Complete!');
      return;
    }
    case 'makecache':
    case 'check-update': {
      const avail = dnfAvailable(disable);
      if (avail.problems.length) fail(1, avail.problems.join('\n'));
      out('Metadata cache created.');
      return;
    }
    case 'list': {
      const have = installedPackages();
      out('Installed Packages');
      for (const [n, p] of Object.entries(have).sort()) out(`${`${n}.x86_64`.padEnd(40)}${p.full}`);
      return;
    }
    case 'config-manager': {
      const i = argv.indexOf('--add-repo');
      const url = i >= 0 ? argv[i + 1] : undefined;
      if (!url) fail(1, 'Error: no repo given');
      if (/docker-ce\.repo$/.test(url) && /download\.docker\.com|mirrors\.aliyun\.com\/docker-ce/.test(url)) {
        const base = url.replace(/docker-ce\.repo$/, '');
        write(
          '/etc/yum.repos.d/docker-ce.repo',
          `[docker-ce-stable]\nname=Docker CE Stable - $basearch\nbaseurl=${base}$releasever/$basearch/stable\nenabled=1\ngpgcheck=1\ngpgkey=${base}gpg\n`,
        );
        out(`Adding repo from: ${url}`);
        return;
      }
      return fail(
        1,
        `Curl error (6): Couldn't resolve host name for ${url}`,
        `Error: Configuration of repo failed`,
      );
    }
    default:
      fail(1, `No such command: ${sub}. Please use /usr/bin/${cmd} --help`);
  }
}

export function rpm(argv: string[]): void {
  if (!isRhel()) commandNotFound('rpm');
  if (argv[0] !== '-q') fail(1, 'rpm: only -q is simulated in the lab');
  const have = installedPackages();
  let code = 0;
  for (const n of argv.slice(1).filter((a) => !a.startsWith('-'))) {
    const p = have[n];
    if (p) out(`${n}-${p.full}.x86_64`);
    else {
      out(`package ${n} is not installed`);
      code = 1;
    }
  }
  if (code) fail(code);
}

// ---------------------------------------------------------------- apt

interface AptCache {
  updatedAt: number;
  offers: PackageOffer[];
}

interface DebLine {
  file: string;
  url: string;
  suite: string;
  signedBy?: string;
}

function parseDebLines(): DebLine[] {
  const dir = '/etc/apt/sources.list.d';
  const lines: DebLine[] = [];
  if (!existsSync(dir)) return lines;
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.list'))
    .sort()) {
    for (const raw of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const line = raw.trim();
      if (!line.startsWith('deb ')) continue;
      const m = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)/.exec(line);
      if (!m) continue;
      const signedBy = /signed-by=(\S+)/.exec(m[1] ?? '')?.[1];
      lines.push({ file: f, url: m[2]!, suite: m[3]!, ...(signedBy ? { signedBy } : {}) });
    }
  }
  return lines;
}

function aptUpdate(): void {
  const cache: AptCache = { updatedAt: now(), offers: baseOffers(osSpec().codename ?? '') };
  const errors: string[] = [];
  const warnings: string[] = [];
  let n = 1;
  for (const l of parseDebLines()) {
    const known = classifyRepoUrl(l.url, 'deb');
    if ('error' in known) {
      if (known.error === 'offline') {
        out(`Ign:${n++} ${l.url} ${l.suite} InRelease`);
        warnings.push(
          `W: Failed to fetch ${l.url}dists/${l.suite}/InRelease  Temporary failure resolving '${new URL(l.url).host}'`,
        );
      } else {
        out(`Err:${n++} ${l.url} ${l.suite} Release\n  404  Not Found`);
        errors.push(`E: The repository '${l.url} ${l.suite} Release' does not have a Release file.`);
      }
      continue;
    }
    if (known.kind === 'kubernetes' && l.suite !== '/') {
      errors.push(`E: The repository '${l.url} ${l.suite} Release' does not have a Release file.`);
      continue;
    }
    // Docker publishes one repository per distribution and release: another one's has no Release here.
    if (known.kind === 'docker' && (known.distro !== osSpec().id || l.suite !== osSpec().codename)) {
      errors.push(`E: The repository '${l.url} ${l.suite} Release' does not have a Release file.`);
      continue;
    }
    const key = l.signedBy ? readFileSafe(l.signedBy) : undefined;
    if (!key || !/BEGIN PGP PUBLIC KEY BLOCK|^\x99/.test(key)) {
      out(`Get:${n++} ${l.url} ${l.suite} InRelease`);
      errors.push(
        `W: GPG error: ${l.url} ${l.suite} InRelease: The following signatures couldn't be verified because the public key is not available: NO_PUBKEY 234654DA9A296436`,
        `E: The repository '${l.url} ${l.suite} InRelease' is not signed.`,
      );
      continue;
    }
    out(`Get:${n++} ${l.url} ${l.suite} InRelease [1192 B]`);
    cache.offers.push(...offers(l.file.replace(/\.list$/, ''), known, 'deb'));
  }
  for (const w of warnings) err(w);
  if (errors.length) {
    for (const e of errors) err(e);
    fail(
      100,
      "N: Updating from such a repository can't be done securely, and is therefore disabled by default.",
    );
  }
  writeState('apt-cache', cache);
  out('Reading package lists... Done');
}

function readFileSafe(p: string): string | undefined {
  try {
    return readFileSync(p, 'latin1');
  } catch {
    return undefined;
  }
}

async function aptInstall(specs: string[], yes: boolean, allowHeld: boolean): Promise<void> {
  const cache = readState<AptCache>('apt-cache', () => ({
    updatedAt: 0,
    offers: baseOffers(osSpec().codename ?? ''),
  }));
  out('Reading package lists... Done\nBuilding dependency tree... Done');
  const chosen: PackageOffer[] = [];
  for (const spec of specs) {
    const [name, version] = spec.split('=') as [string, string | undefined];
    const cands = cache.offers.filter((o) => o.name === name);
    if (cands.length === 0) fail(100, `E: Unable to locate package ${name}`);
    const pick = version ? cands.find((o) => o.full === version) : newest(cands);
    if (!pick) fail(100, `E: Version '${version}' for '${name}' was not found`);
    chosen.push(pick);
  }
  for (const c of [...chosen])
    for (const dep of DEPENDS[c.name] ?? [])
      if (!chosen.some((x) => x.name === dep) && !isInstalled(dep)) {
        const d = newest(cache.offers.filter((o) => o.name === dep));
        if (!d) fail(100, `E: Unable to correct problems, you have held broken packages.`);
        chosen.push(d);
      }
  const have = installedPackages();
  const todo = chosen.filter((c) => have[c.name]?.full !== c.full);
  for (const c of chosen.filter((x) => !todo.includes(x)))
    out(`${c.name} is already the newest version (${c.full}).`);
  const heldChanged = todo.filter((c) => have[c.name]?.held);
  if (heldChanged.length && !allowHeld)
    fail(100, 'E: Held packages were changed and -y was used without --allow-change-held-packages.');
  if (todo.length === 0) {
    out('0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.');
    return;
  }
  out(`The following NEW packages will be installed:\n  ${todo.map((c) => c.name).join(' ')}`);
  if (!yes) {
    out('Do you want to continue? [Y/n] Abort.');
    fail(1);
  }
  for (const c of todo) {
    out(`Setting up ${c.name} (${c.full}) ...`);
    await record(c);
  }
}

export async function aptGet(cmd: 'apt-get' | 'apt', argv: string[]): Promise<void> {
  if (isRhel()) commandNotFound(cmd);
  if (cmd === 'apt')
    err('\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n');
  const args = argv.filter((a) => !a.startsWith('-'));
  const flags = argv.filter((a) => a.startsWith('-'));
  const yes = flags.some(
    (f) => f === '-y' || f === '--yes' || f === '--assume-yes' || f === '-qy' || f === '-yq',
  );
  switch (args[0]) {
    case 'update':
      return aptUpdate();
    case 'install':
      if (flags.includes('--only-upgrade')) {
        const have = installedPackages();
        for (const n of args.slice(1).filter((x) => !have[x.split('=')[0]!]))
          out(`Skipping ${n}, it is not installed and only upgrades are requested.`);
        const installed = args.slice(1).filter((x) => have[x.split('=')[0]!]);
        if (!installed.length) return;
        return aptInstall(installed, yes, flags.includes('--allow-change-held-packages'));
      }
      return aptInstall(args.slice(1), yes, flags.includes('--allow-change-held-packages'));
    case 'remove':
    case 'purge': {
      const have = installedPackages();
      for (const n of args.slice(1)) delete have[n];
      writeState('packages', have);
      return;
    }
    default:
      fail(100, `E: Invalid operation ${args[0] ?? ''}`);
  }
}

export function aptMark(argv: string[]): void {
  if (isRhel()) commandNotFound('apt-mark');
  const [sub, ...names] = argv;
  const have = installedPackages();
  if (sub === 'showhold') {
    for (const [n, p] of Object.entries(have)) if (p.held) out(n);
    return;
  }
  if (sub !== 'hold' && sub !== 'unhold') fail(100, `E: Invalid operation ${sub}`);
  for (const n of names) {
    const p = have[n];
    if (!p) fail(100, `E: Unable to locate package ${n}`);
    if (sub === 'hold') {
      out(p.held ? `${n} was already set on hold.` : `${n} set on hold.`);
      p.held = true;
    } else {
      out(`Canceled hold on ${n}.`);
      delete p.held;
    }
  }
  writeState('packages', have);
}

export function dpkg(argv: string[]): void {
  if (isRhel()) commandNotFound('dpkg');
  if (argv[0] !== '-s' && argv[0] !== '--status') fail(2, 'dpkg: only -s is simulated in the lab');
  const have = installedPackages();
  let code = 0;
  // One record per installed package, records apart by a blank line, as dpkg-query prints them.
  const records: string[] = [];
  for (const n of argv.slice(1)) {
    const p = have[n];
    if (p)
      records.push(
        `Package: ${n}\nStatus: ${p.held ? 'hold' : 'install'} ok installed\nVersion: ${p.full}\n`,
      );
    else {
      err(`dpkg-query: package '${n}' is not installed and no information is available`);
      code = 1;
    }
  }
  if (records.length) out(records.join('\n'));
  if (code) fail(code);
}
