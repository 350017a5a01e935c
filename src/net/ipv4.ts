// IPv4 and CIDR arithmetic on top of ipaddr.js (parsing), with ranges as 32-bit integers so that
// containment and overlap are plain comparisons.
import ipaddr from 'ipaddr.js';

export interface Cidr {
  /** The text as written, e.g. "172.16.100.150/24". */
  text: string;
  address: number;
  prefix: number;
  network: number;
  broadcast: number;
}

/** Strict dotted-quad IPv4 (no leading zeros, no shorthand like "10.1"). */
export function isIPv4(s: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(s) && !/(^|\.)0\d/.test(s);
}

export function ipToInt(s: string): number {
  const bytes = ipaddr.IPv4.parse(s).octets;
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parse "a.b.c.d/nn". Returns undefined when it is not a valid IPv4 CIDR. */
export function parseCidr(s: string): Cidr | undefined {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(s);
  if (!m || !isIPv4(m[1]!)) return undefined;
  const prefix = Number(m[2]);
  if (prefix > 32) return undefined;
  const address = ipToInt(m[1]!);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const network = (address & mask) >>> 0;
  const broadcast = (network | (~mask >>> 0)) >>> 0;
  return { text: s, address, prefix, network, broadcast };
}

/** True when `cidr` is written as its own network address (10.244.0.0/16, not 10.244.1.0/16). */
export function isNetworkAligned(c: Cidr): boolean {
  return c.address === c.network;
}

export function cidrContains(c: Cidr, ip: number): boolean {
  return ip >= c.network && ip <= c.broadcast;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.network <= b.broadcast && b.network <= a.broadcast;
}

export function networkText(c: Cidr): string {
  return `${intToIp(c.network)}/${c.prefix}`;
}

/** Number of addresses in the block, as a float (2^32 does not fit in an int32). */
export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}
