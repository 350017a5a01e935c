// A client for the real etcd (Debian's etcd-server 3.4) over its JSON gateway (/v3/...), with the
// TLS client certificates kubeadm lays out. The simulated apiserver keeps the cluster's objects here,
// and the simulated kubeadm adds, promotes and removes members through it, as kubeadm does.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';

export const ETCD_PKI = '/etc/kubernetes/pki/etcd';

export interface EtcdTls {
  ca: string;
  cert: string;
  key: string;
}

export interface KeyValue {
  key: string;
  value: string;
  modRevision: number;
  createRevision: number;
}

export interface Member {
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

/** etcd answered with an error (no quorum, not a learner in sync …), or could not be reached. */
export class EtcdError extends Error {
  constructor(
    message: string,
    readonly unreachable = false,
  ) {
    super(message);
  }
}

export function tlsFrom(dir: string, name: 'healthcheck-client' | 'apiserver-etcd-client' | 'peer'): EtcdTls {
  const base = name === 'apiserver-etcd-client' ? `${dir}/../apiserver-etcd-client` : `${dir}/${name}`;
  return {
    ca: readFileSync(`${dir}/ca.crt`, 'utf8'),
    cert: readFileSync(`${base}.crt`, 'utf8'),
    key: readFileSync(`${base}.key`, 'utf8'),
  };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string | undefined) => (s ? Buffer.from(s, 'base64').toString('utf8') : '');

/** The key after every key with this prefix (etcd's range_end for a prefix scan). */
function prefixEnd(prefix: string): string {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) {
      b[i]! += 1;
      return b.subarray(0, i + 1).toString('latin1');
    }
  }
  return '\0';
}

export class Etcd {
  private readonly agent: Agent;

  constructor(
    private readonly endpoints: string[],
    tls: EtcdTls,
    private readonly timeoutMs = 5000,
  ) {
    this.agent = new Agent({ ca: tls.ca, cert: tls.cert, key: tls.key, keepAlive: true, maxSockets: 16 });
  }

  close(): void {
    this.agent.destroy();
  }

  private call<T>(path: string, body: unknown, endpoint = this.endpoints[0]!): Promise<T> {
    const data = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        `${endpoint}${path}`,
        {
          method: 'POST',
          agent: this.agent,
          timeout: this.timeoutMs,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            let parsed: { error?: string; message?: string } & Record<string, unknown>;
            try {
              parsed = JSON.parse(text) as typeof parsed;
            } catch {
              return reject(new EtcdError(`etcd ${endpoint}: ${res.statusCode} ${text.slice(0, 200)}`));
            }
            if (parsed.error || (res.statusCode ?? 500) >= 300)
              return reject(new EtcdError(String(parsed.message ?? parsed.error ?? res.statusCode)));
            resolve(parsed as T);
          });
        },
      );
      req.on('timeout', () => req.destroy(new EtcdError('context deadline exceeded', true)));
      req.on('error', (e) =>
        reject(e instanceof EtcdError ? e : new EtcdError(`dial ${endpoint}: ${(e as Error).message}`, true)),
      );
      req.end(data);
    });
  }

  /** Try each endpoint until one answers (a client's failover). */
  private async any<T>(path: string, body: unknown): Promise<T> {
    let last: unknown;
    for (const ep of this.endpoints) {
      try {
        return await this.call<T>(path, body, ep);
      } catch (e) {
        last = e;
        if (!(e instanceof EtcdError && e.unreachable)) throw e;
      }
    }
    throw last;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const r = await this.any<{ kvs?: RawKv[] }>('/v3/kv/range', { key: b64(key) });
    return r.kvs?.[0] ? toKv(r.kvs[0]) : undefined;
  }

  async list(prefix: string): Promise<{ items: KeyValue[]; revision: number }> {
    const r = await this.any<{ kvs?: RawKv[]; header: { revision: string } }>('/v3/kv/range', {
      key: b64(prefix),
      range_end: Buffer.from(prefixEnd(prefix), 'latin1').toString('base64'),
    });
    return { items: (r.kvs ?? []).map(toKv), revision: Number(r.header.revision) };
  }

  async put(key: string, value: string): Promise<number> {
    const r = await this.any<{ header: { revision: string } }>('/v3/kv/put', {
      key: b64(key),
      value: b64(value),
    });
    return Number(r.header.revision);
  }

  /** Write only if the key is unchanged since `modRevision` (0: only if it does not exist). */
  async putIf(key: string, value: string, modRevision: number): Promise<{ ok: boolean; revision: number }> {
    const r = await this.any<{ succeeded?: boolean; header: { revision: string } }>('/v3/kv/txn', {
      compare: [{ key: b64(key), target: 'MOD', result: 'EQUAL', mod_revision: String(modRevision) }],
      success: [{ request_put: { key: b64(key), value: b64(value) } }],
    });
    return { ok: !!r.succeeded, revision: Number(r.header.revision) };
  }

  async delete(key: string): Promise<boolean> {
    const r = await this.any<{ deleted?: string }>('/v3/kv/deleterange', { key: b64(key) });
    return Number(r.deleted ?? 0) > 0;
  }

  async deletePrefix(prefix: string): Promise<number> {
    const r = await this.any<{ deleted?: string }>('/v3/kv/deleterange', {
      key: b64(prefix),
      range_end: Buffer.from(prefixEnd(prefix), 'latin1').toString('base64'),
    });
    return Number(r.deleted ?? 0);
  }

  async members(): Promise<Member[]> {
    const r = await this.any<{ members?: RawMember[] }>('/v3/cluster/member/list', {});
    return (r.members ?? []).map(toMember);
  }

  async addMember(peerURL: string, learner: boolean): Promise<{ member: Member; members: Member[] }> {
    const r = await this.any<{ member: RawMember; members: RawMember[] }>('/v3/cluster/member/add', {
      peerURLs: [peerURL],
      isLearner: learner,
    });
    return { member: toMember(r.member), members: r.members.map(toMember) };
  }

  async promote(id: string): Promise<void> {
    await this.any('/v3/cluster/member/promote', { ID: id });
  }

  async removeMember(id: string): Promise<void> {
    await this.any('/v3/cluster/member/remove', { ID: id });
  }

  /** One endpoint's view: its version, the leader it follows, its raft index. */
  async status(
    endpoint: string,
  ): Promise<{ leader: string; memberId: string; raftIndex: number; version: string }> {
    const r = await this.call<{
      leader: string;
      header: { member_id: string };
      raftIndex: string;
      version: string;
    }>('/v3/maintenance/status', {}, endpoint);
    return {
      leader: r.leader,
      memberId: r.header.member_id,
      raftIndex: Number(r.raftIndex),
      version: r.version,
    };
  }
}

interface RawKv {
  key: string;
  value?: string;
  mod_revision: string;
  create_revision: string;
}
interface RawMember {
  ID: string;
  name?: string;
  peerURLs?: string[];
  clientURLs?: string[];
  isLearner?: boolean;
}

function toKv(k: RawKv): KeyValue {
  return {
    key: unb64(k.key),
    value: unb64(k.value),
    modRevision: Number(k.mod_revision),
    createRevision: Number(k.create_revision),
  };
}

function toMember(m: RawMember): Member {
  return {
    id: m.ID,
    name: m.name ?? '',
    peerURLs: m.peerURLs ?? [],
    clientURLs: m.clientURLs ?? [],
    isLearner: !!m.isLearner,
  };
}
