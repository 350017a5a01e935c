// etcd's membership, read and changed from a control plane through etcd's own JSON API (/v3/...) with
// curl and the apiserver's etcd client certificate: kubeadm puts no etcdctl on the host, but every
// host has curl, and every stacked etcd serves the gateway on its client port.
import type { Host } from '../answers/schema.js';
import type { StepContext } from './engine/context.js';
import { quote } from './transport/shell.js';

const PKI = '/etc/kubernetes/pki';
const CLIENT = `--cacert ${PKI}/etcd/ca.crt --cert ${PKI}/apiserver-etcd-client.crt --key ${PKI}/apiserver-etcd-client.key`;

export interface EtcdMember {
  id: string;
  /** Empty for a member that was added but never started. */
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

/** The shell command that POSTs `body` to etcd's `path` on this control plane's local member. */
export function etcdApi(path: string, body: unknown = {}, endpoint = 'https://127.0.0.1:2379'): string {
  // A member that is down (its host gone) is known within the connect timeout, not the whole 8 s.
  return `curl -sS --connect-timeout 3 --max-time 8 ${CLIENT} -X POST ${quote(`${endpoint}${path}`)} -d ${quote(JSON.stringify(body))}`;
}

export function peerUrl(h: Host): string {
  return `https://${h.address}:2380`;
}

interface RawMember {
  ID: string;
  name?: string;
  peerURLs?: string[];
  clientURLs?: string[];
  isLearner?: boolean;
}

export function parseMembers(json: string): EtcdMember[] | undefined {
  try {
    const r = JSON.parse(json) as { members?: RawMember[]; error?: string };
    if (r.error || !r.members) return undefined;
    return r.members.map((m) => ({
      id: m.ID,
      name: m.name ?? '',
      peerURLs: m.peerURLs ?? [],
      clientURLs: m.clientURLs ?? [],
      isLearner: !!m.isLearner,
    }));
  } catch {
    return undefined;
  }
}

/** The member list as `on` sees it (read-only), or undefined when its etcd does not answer. */
/** The read etcdMembers makes, through the local etcd (to prefetch it with others). */
export const MEMBER_LIST = etcdApi('/v3/cluster/member/list');

export async function etcdMembers(ctx: StepContext, on: Host): Promise<EtcdMember[] | undefined> {
  const r = await ctx.probeOn(on, MEMBER_LIST, { timeoutMs: 15_000 });
  return r.code === 0 ? parseMembers(r.stdout) : undefined;
}

export async function removeEtcdMember(ctx: StepContext, on: Host, m: EtcdMember): Promise<void> {
  await ctx.runOn(on, etcdApi('/v3/cluster/member/remove', { ID: m.id }), {
    label: `remove etcd member ${m.id} (${m.name || 'never started'}, ${m.peerURLs.join(',')}) through ${on.name}`,
  });
}

/** A member that is not a full, started member: added by a join that never finished. */
export function halfJoined(m: EtcdMember): boolean {
  return !m.name || m.isLearner;
}
