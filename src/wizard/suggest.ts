// Proposals the screens make from what the operator already typed: a VIP in the control planes'
// subnet that no host uses, and pod/service ranges that do not overlap the hosts.
import { cidrsOverlap, intToIp, ipToInt, isIPv4, parseCidr, type Cidr } from '../net/ipv4.js';
import type { Draft } from './draft.js';

function controlPlaneAddresses(d: Draft): string[] {
  return d.hosts.filter((h) => h.role === 'control-plane' && isIPv4(h.address)).map((h) => h.address);
}

/** A free address in the first control plane's /24, preferring .150 as the seed does. */
export function suggestVip(d: Draft): string | undefined {
  const cps = controlPlaneAddresses(d);
  if (cps.length === 0) return undefined;
  const base = ipToInt(cps[0]!) & 0xffffff00;
  const used = new Set(d.hosts.map((h) => h.address));
  const sameNet = cps.every((a) => (ipToInt(a) & 0xffffff00) === base);
  const prefix = sameNet ? 24 : 16;
  const net = prefix === 24 ? base : ipToInt(cps[0]!) & 0xffff0000;
  for (const host of [150, 250, 200, 100, 10, ...Array.from({ length: 253 }, (_, i) => i + 2)]) {
    const ip = intToIp((net + host) >>> 0);
    if (!used.has(ip)) return `${ip}/${prefix}`;
  }
  return undefined;
}

const POD_CANDIDATES = ['10.244.0.0/16', '172.30.0.0/16', '10.32.0.0/12', '192.168.0.0/16', '172.20.0.0/16'];
const SERVICE_CANDIDATES = ['10.96.0.0/12', '10.254.0.0/16', '172.31.0.0/16', '10.112.0.0/12'];

function taken(d: Draft, other?: string): Cidr[] {
  const out: Cidr[] = [];
  for (const h of d.hosts) if (isIPv4(h.address)) out.push(parseCidr(`${h.address}/32`)!);
  const vip = typeof d.loadBalancer?.vip === 'string' ? parseCidr(d.loadBalancer.vip) : undefined;
  if (vip && vip.prefix <= 30) out.push(vip);
  const o = other ? parseCidr(other) : undefined;
  if (o) out.push(o);
  return out;
}

/** A range from the usual defaults that overlaps neither the hosts, the VIP subnet nor `other`. */
export function suggestCidr(d: Draft, kind: 'pod' | 'service', other?: string): string | undefined {
  const busy = taken(d, other);
  return (kind === 'pod' ? POD_CANDIDATES : SERVICE_CANDIDATES).find((c) =>
    busy.every((b) => !cidrsOverlap(parseCidr(c)!, b)),
  );
}
