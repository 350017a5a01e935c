// Objects in the real etcd, the way kube-apiserver keeps them: one key per object, the object's
// resourceVersion is the key's mod revision, writes compare-and-swap on it, and every read is
// linearizable, so without a quorum nothing is read or written.
import { randomUUID } from 'node:crypto';
import { Etcd, EtcdError } from '../etcd.js';
import { now } from '../env.js';
import { BUILTIN, derived, keyOf, prefixOf, type Obj, type Resource } from './resources.js';

/** kube-apiserver's etcd health check: at most one read per half of its 2 s timeout. */
const HEALTH_CHECK_EVERY_MS = 1000;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function notFound(r: Resource, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${r.plural}${r.group ? `.${r.group}` : ''} "${name}" not found`, {
    name,
    group: r.group,
    kind: r.plural,
  });
}

/** etcd failures become what kube-apiserver answers: a 500 naming etcd. */
export function fromEtcd(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const msg = e instanceof EtcdError ? e.message : (e as Error).message;
  return new ApiError(
    500,
    'InternalError',
    `etcdserver: ${/timed out|deadline|dial/.test(msg) ? 'request timed out' : msg}`,
  );
}

export class Storage {
  private crds: { at: number; list: Resource[] } | undefined;
  private health: { at: number; pending: boolean; result: Promise<string | undefined> } | undefined;

  constructor(readonly etcd: Etcd) {}

  /** Built-in resources plus those the stored CustomResourceDefinitions define (cached 2 s). */
  async resources(): Promise<Resource[]> {
    if (!this.crds || Date.now() - this.crds.at > 2000) {
      const crd = BUILTIN.find((r) => r.kind === 'CustomResourceDefinition')!;
      const { items } = await this.etcd.list(prefixOf(crd)).catch(() => ({ items: [] }));
      const list = items.flatMap((kv) => {
        const o = JSON.parse(kv.value) as Obj;
        const names = o.spec?.names ?? {};
        return ((o.spec?.versions ?? []) as { name: string; served?: boolean }[]).map((v) => ({
          group: String(o.spec?.group ?? ''),
          version: v.name,
          kind: String(names.kind ?? ''),
          plural: String(names.plural ?? ''),
          singular: String(names.singular ?? String(names.kind ?? '').toLowerCase()),
          namespaced: o.spec?.scope !== 'Cluster',
          ...(names.shortNames ? { shortNames: names.shortNames as string[] } : {}),
        }));
      });
      this.crds = { at: Date.now(), list };
    }
    return [...BUILTIN, ...this.crds.list];
  }

  async byPath(group: string, version: string, plural: string): Promise<Resource | undefined> {
    return (await this.resources()).find(
      (r) => r.group === group && r.version === version && r.plural === plural,
    );
  }

  async byKind(apiVersion: string, kind: string): Promise<Resource> {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const known = (await this.resources()).find(
      (r) => r.group === group && r.version === version && r.kind === kind,
    );
    return known ?? derived(apiVersion, kind);
  }

  private decode(value: string, modRevision: number): Obj {
    const o = JSON.parse(value) as Obj;
    o.metadata.resourceVersion = String(modRevision);
    return o;
  }

  async get(r: Resource, ns: string | undefined, name: string): Promise<Obj | undefined> {
    try {
      const kv = await this.etcd.get(keyOf(r, ns, name));
      return kv ? this.decode(kv.value, kv.modRevision) : undefined;
    } catch (e) {
      throw fromEtcd(e);
    }
  }

  async mustGet(r: Resource, ns: string | undefined, name: string): Promise<Obj> {
    const o = await this.get(r, ns, name);
    if (!o) throw notFound(r, name);
    return o;
  }

  async list(r: Resource, ns?: string): Promise<{ items: Obj[]; revision: number }> {
    try {
      const { items, revision } = await this.etcd.list(prefixOf(r, ns));
      return { items: items.map((kv) => this.decode(kv.value, kv.modRevision)), revision };
    } catch (e) {
      throw fromEtcd(e);
    }
  }

  private stamp(r: Resource, ns: string | undefined, o: Obj): Obj {
    const copy = structuredClone(o);
    copy.apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    copy.kind = r.kind;
    if (r.namespaced) copy.metadata.namespace = ns;
    else delete copy.metadata.namespace;
    delete copy.metadata.resourceVersion;
    return copy;
  }

  async create(r: Resource, ns: string | undefined, o: Obj): Promise<Obj> {
    if (!o.metadata?.name && o.metadata?.generateName)
      o.metadata.name = `${o.metadata.generateName}${randomUUID().slice(0, 5)}`;
    if (!o.metadata?.name)
      throw new ApiError(
        422,
        'Invalid',
        `${r.kind} "" is invalid: metadata.name: Required value: name is required`,
      );
    const obj = this.stamp(r, ns, o);
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = new Date(now()).toISOString().replace(/\.\d+Z$/, 'Z');
    try {
      const res = await this.etcd.putIf(keyOf(r, ns, obj.metadata.name), JSON.stringify(obj), 0);
      if (!res.ok)
        throw new ApiError(
          409,
          'AlreadyExists',
          `${r.plural}${r.group ? `.${r.group}` : ''} "${obj.metadata.name}" already exists`,
          {
            name: obj.metadata.name,
            kind: r.plural,
          },
        );
      obj.metadata.resourceVersion = String(res.revision);
      return obj;
    } catch (e) {
      throw fromEtcd(e);
    }
  }

  /** Replace; with `expect`, only if the stored object still has that resourceVersion. */
  async update(r: Resource, ns: string | undefined, o: Obj, expect?: string): Promise<Obj> {
    const current = await this.mustGet(r, ns, o.metadata.name);
    const rv = expect ?? current.metadata.resourceVersion!;
    const obj = this.stamp(r, ns, o);
    obj.metadata.uid = current.metadata.uid;
    obj.metadata.creationTimestamp = current.metadata.creationTimestamp;
    try {
      const res = await this.etcd.putIf(keyOf(r, ns, obj.metadata.name), JSON.stringify(obj), Number(rv));
      if (!res.ok)
        throw new ApiError(
          409,
          'Conflict',
          `Operation cannot be fulfilled on ${r.plural} "${obj.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
        );
      obj.metadata.resourceVersion = String(res.revision);
      return obj;
    } catch (e) {
      throw fromEtcd(e);
    }
  }

  /** Read, change, write; retried on a conflict (several apiservers and controllers write). */
  async modify(r: Resource, ns: string | undefined, name: string, fn: (o: Obj) => Obj | void): Promise<Obj> {
    for (let i = 0; ; i++) {
      const cur = await this.mustGet(r, ns, name);
      const next = fn(structuredClone(cur)) ?? cur;
      try {
        return await this.update(r, ns, next, cur.metadata.resourceVersion);
      } catch (e) {
        if (!(e instanceof ApiError && e.reason === 'Conflict') || i > 8) throw e;
      }
    }
  }

  async delete(r: Resource, ns: string | undefined, name: string): Promise<Obj> {
    const cur = await this.mustGet(r, ns, name);
    try {
      await this.etcd.delete(keyOf(r, ns, name));
    } catch (e) {
      throw fromEtcd(e);
    }
    return cur;
  }

  /**
   * Is etcd there with a quorum? A linearizable read, as kube-apiserver's etcd health check does, at
   * most once a second: since 1.26 kube-apiserver rate-limits it to half its 2 s timeout, with no
   * burst, and answers the checks in between with the last result (kubernetes#112046). haproxy's and
   * keepalived's checks on three control planes would otherwise read etcd several times a second.
   */
  async healthy(): Promise<string | undefined> {
    const last = this.health;
    if (last && (last.pending || Date.now() - last.at < HEALTH_CHECK_EVERY_MS)) return last.result;
    const result = this.etcd.get('health').then(
      () => undefined,
      (e: unknown) => (e as Error).message,
    );
    const entry = { at: Date.now(), pending: true, result };
    this.health = entry;
    void result.then(() => (entry.pending = false));
    return result;
  }
}
