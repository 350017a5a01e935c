// The hosts' firewalls filter for real: each host's network namespace gets an nftables table that
// drops inbound traffic by default (as a hardened Rocky host with firewalld, or an Ubuntu host with
// ufw enabled, does), letting in ssh, replies, and what firewall-cmd or ufw opened. Stopping the
// firewall (systemctl stop firewalld, ufw disable) removes the table: everything is open.
import { spawnSync } from 'node:child_process';
import { journal, readState, writeState } from './env.js';

export const TABLE = 'lab_host_firewall';

export interface FirewallRules {
  /** "6443/tcp", "30000-32767/tcp", "4789/udp". */
  ports: string[];
  /** IP protocols by name (vrrp, ipip). */
  protocols: string[];
  /** Destination addresses let in whatever the protocol (ufw allow to 224.0.0.18). */
  destinations: string[];
}

function ruleLines(r: FirewallRules): string[] {
  const lines = [
    'iif "lo" accept',
    'ct state established,related accept',
    'ct state invalid drop',
    'meta l4proto icmp accept',
    'tcp dport 22 accept',
  ];
  for (const p of r.ports) {
    const m = /^(\d+(?:-\d+)?)\/(tcp|udp|sctp)$/.exec(p);
    if (m) lines.push(`${m[2]} dport ${m[1]} accept`);
  }
  for (const proto of r.protocols) if (/^[a-z0-9-]+$/.test(proto)) lines.push(`meta l4proto ${proto} accept`);
  for (const d of r.destinations) if (/^[\d.]+(\/\d+)?$/.test(d)) lines.push(`ip daddr ${d} accept`);
  return lines;
}

function nft(script: string): void {
  const r = spawnSync('nft', ['-f', '-'], { input: script, encoding: 'utf8' });
  if (r.status !== 0) journal('firewall', `nft failed: ${r.stderr.trim()}\n${script}`);
}

/** Replace the table with these rules (the drop policy stays). */
export function applyRules(r: FirewallRules): void {
  nft(
    [
      `add table inet ${TABLE}`,
      `delete table inet ${TABLE}`,
      `table inet ${TABLE} {`,
      '  chain input {',
      '    type filter hook input priority filter; policy drop;',
      ...ruleLines(r).map((l) => `    ${l}`),
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  journal('firewall', `rules: ${JSON.stringify(r)}`);
}

/** The firewall is off: no table, nothing filtered. */
export function openAll(): void {
  nft(`add table inet ${TABLE}\ndelete table inet ${TABLE}\n`);
  journal('firewall', 'off: everything open');
}

export function activeRuleset(): string {
  return spawnSync('nft', ['list', 'table', 'inet', TABLE], { encoding: 'utf8' }).stdout;
}

// ------------------------------------------------------------- firewalld's and ufw's state

export interface FirewalldState {
  ports: string[];
  protocols: string[];
  permanentPorts: string[];
  permanentProtocols: string[];
}

export function firewalldState(): FirewalldState {
  return readState<FirewalldState>('firewall', () => ({
    ports: [],
    protocols: [],
    permanentPorts: [],
    permanentProtocols: [],
  }));
}

export function saveFirewalld(s: FirewalldState): void {
  writeState('firewall', s);
}

export interface UfwState {
  active: boolean;
  rules: string[];
}

/** Ubuntu lab hosts come with ufw enabled (ssh allowed), like a hardened host. */
export function ufwState(): UfwState {
  return readState<UfwState>('ufw', () => ({ active: true, rules: ['22/tcp'] }));
}

export function saveUfw(s: UfwState): void {
  writeState('ufw', s);
}

/** ufw's rule texts ("6443/tcp", "to 224.0.0.18 comment …") as nft rules. */
export function ufwRules(s: UfwState): FirewallRules {
  const r: FirewallRules = { ports: [], protocols: [], destinations: [] };
  for (const rule of s.rules) {
    const to = /^to (\S+)/.exec(rule)?.[1];
    if (to) r.destinations.push(to);
    else if (/^\d+(-\d+)?\/(tcp|udp)$/.test(rule.split(' ')[0]!)) r.ports.push(rule.split(' ')[0]!);
    else if (/^\d+(:\d+)?$/.test(rule.split(' ')[0]!))
      r.ports.push(
        `${rule.split(' ')[0]!.replace(':', '-')}/tcp`,
        `${rule.split(' ')[0]!.replace(':', '-')}/udp`,
      );
  }
  return r;
}

/** Bring the nft table in line with the firewall service and its rules (boot, start, stop, reload). */
export function syncFirewall(kind: 'firewalld' | 'ufw', running: boolean): void {
  if (!running) return openAll();
  if (kind === 'firewalld') {
    const s = firewalldState();
    applyRules({ ports: s.ports, protocols: s.protocols, destinations: [] });
  } else applyRules(ufwRules(ufwState()));
}
