// kubectl on a lab host. Everything but `apply` and `get --raw` is the real kubectl 1.35 (from the
// test dependency), run against the lab's apiserver: get, wait, cordon, drain (eviction, PDBs),
// delete, create token … `apply` is simulated: a real client-side apply needs the OpenAPI schema,
// which the lab's apiserver does not serve. It creates or replaces each object through the API,
// in file order, and prints what kubectl prints.
import { existsSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { fetchFixture } from './curl.js';
import { commandNotFound, fail, out } from './env.js';
import { dialError, type HttpResult } from './http.js';
import { inv, userPath } from './invocation.js';
import { readKubeconfig, requestAs, resolveKubeconfig, type Credentials } from './kubeconfig.js';
import { installedPackages } from './packages.js';

export const REAL_KUBECTL = '/usr/local/lib/k8sha-lab/kubectl';

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    annotations?: Record<string, string>;
    resourceVersion?: string;
  };
  [k: string]: unknown;
};

interface Flags {
  kubeconfig?: string;
  /** --server / -s: another address for the kubeconfig's cluster (verified against its CA, as kubectl does). */
  server?: string;
  namespace?: string;
  files: string[];
  rest: string[];
}

function parseFlags(argv: string[]): Flags {
  const f: Flags = { files: [], rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]!);
    if (a === '--kubeconfig' || a.startsWith('--kubeconfig=')) f.kubeconfig = val();
    else if (a === '--server' || a === '-s' || a.startsWith('--server=')) f.server = val();
    else if (a === '-n' || a === '--namespace' || a.startsWith('--namespace=')) f.namespace = val();
    else if (a === '-f' || a === '--filename' || a.startsWith('--filename=')) f.files.push(val());
    else f.rest.push(a);
  }
  return f;
}

function credentials(f: Flags): Credentials {
  const file = resolveKubeconfig(f.kubeconfig ? userPath(f.kubeconfig) : undefined);
  if (!file)
    fail(
      1,
      'error: couldn\'t get current server API group list: Get "http://localhost:8080/api?timeout=32s": dial tcp 127.0.0.1:8080: connect: connection refused',
    );
  const c = readKubeconfig(file);
  return f.server ? { ...c, server: f.server } : c;
}

function call(c: Credentials, method: string, path: string, body?: unknown): Promise<HttpResult> {
  return requestAs(c, method, path, 10_000, body);
}

async function readSource(src: string): Promise<string> {
  if (src === '-') return inv().stdin();
  if (/^https?:\/\//.test(src)) {
    const f = fetchFixture(src);
    if (f === 'offline')
      fail(1, `error: unable to read URL "${src}", server reported 404 Not Found, status code=404`);
    return f.body;
  }
  const p = userPath(src);
  if (!existsSync(p)) fail(1, `error: the path "${src}" does not exist`);
  return readFileSync(p, 'utf8');
}

interface Mapping {
  plural: string;
  namespaced: boolean;
  base: string;
}

/** The REST path of a kind, from the server's discovery (as kubectl's REST mapper does). */
async function mapping(
  c: Credentials,
  apiVersion: string,
  kind: string,
  cache: Map<string, Mapping[]>,
): Promise<Mapping | undefined> {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  let list = cache.get(base);
  if (!list) {
    const r = await call(c, 'GET', base);
    const resources =
      r.status === 200
        ? ((JSON.parse(r.body) as { resources: { name: string; kind: string; namespaced: boolean }[] })
            .resources ?? [])
        : [];
    list = resources
      .filter((x) => !x.name.includes('/'))
      .map((x) => ({ plural: x.name, namespaced: x.namespaced, base, kind: x.kind })) as (Mapping & {
      kind: string;
    })[];
    cache.set(base, list);
  }
  return (list as (Mapping & { kind: string })[]).find((m) => m.kind === kind);
}

function shortKind(o: Obj): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return `${o.kind.toLowerCase()}${group ? `.${group}` : ''}`;
}

async function apply(f: Flags): Promise<void> {
  if (f.files.length === 0) fail(1, 'error: must specify one of -f and -k');
  const c = credentials(f);
  const cache = new Map<string, Mapping[]>();
  for (const src of f.files) {
    const text = await readSource(src);
    for (const d of parseAllDocuments(text)) {
      const o = d.toJS() as Obj | null;
      if (!o || typeof o !== 'object' || !o.kind) continue;
      let m: Mapping | undefined;
      try {
        m = await mapping(c, o.apiVersion, o.kind, cache);
        if (!m && o.kind !== 'CustomResourceDefinition') {
          cache.clear(); // a CRD applied earlier in this run may define it now
          m = await mapping(c, o.apiVersion, o.kind, cache);
        }
      } catch (e) {
        fail(
          1,
          `error: unable to recognize "${src}": Get "${c.server}/api?timeout=32s": ${dialError(c.server, e)}`,
        );
      }
      if (!m)
        fail(
          1,
          `error: resource mapping not found for name: "${o.metadata.name}" namespace: "${o.metadata.namespace ?? ''}" from "${src}": no matches for kind "${o.kind}" in version "${o.apiVersion}"\nensure CRDs are installed first`,
        );
      const ns = m.namespaced ? (o.metadata.namespace ?? f.namespace ?? 'default') : undefined;
      const coll = `${m.base}${ns ? `/namespaces/${ns}` : ''}/${m.plural}`;
      const desired: Obj = {
        ...o,
        metadata: {
          ...o.metadata,
          ...(ns ? { namespace: ns } : {}),
          annotations: {
            ...(o.metadata.annotations ?? {}),
            'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(o),
          },
        },
      };
      const got = await call(c, 'GET', `${coll}/${o.metadata.name}`).catch((e: unknown) =>
        fail(1, `error: ${dialError(c.server, e)}`),
      );
      let verb: string;
      if (got.status === 404) {
        const r = await call(c, 'POST', coll, desired);
        if (r.status >= 300)
          fail(1, `Error from server (${reason(r)}): error when creating "${src}": ${message(r)}`);
        verb = 'created';
      } else if (got.status === 200) {
        const cur = JSON.parse(got.body) as Obj;
        if (
          cur.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] === JSON.stringify(o)
        )
          verb = 'unchanged';
        else {
          const next = {
            ...cur,
            ...desired,
            metadata: { ...cur.metadata, ...desired.metadata, resourceVersion: cur.metadata.resourceVersion },
          };
          const r = await call(c, 'PUT', `${coll}/${o.metadata.name}`, next);
          if (r.status >= 300)
            fail(1, `Error from server (${reason(r)}): error when applying patch to "${src}": ${message(r)}`);
          verb = 'configured';
        }
      } else
        fail(
          1,
          `Error from server (${reason(got)}): error when retrieving current configuration of "${src}": ${message(got)}`,
        );
      out(`${shortKind(o)}/${o.metadata.name} ${verb}`);
    }
  }
}

function reason(r: HttpResult): string {
  try {
    return (JSON.parse(r.body) as { reason?: string }).reason ?? 'InternalError';
  } catch {
    return 'InternalError';
  }
}

function message(r: HttpResult): string {
  try {
    return (JSON.parse(r.body) as { message?: string }).message ?? r.body;
  } catch {
    return r.body;
  }
}

async function raw(f: Flags, path: string): Promise<void> {
  const c = credentials(f);
  let r: HttpResult;
  try {
    r = await call(c, 'GET', path);
  } catch (e) {
    fail(
      1,
      `The connection to the server ${c.server.replace(/^https:\/\//, '')} was refused - did you specify the right host or port?\n${dialError(c.server, e)}`,
    );
  }
  if (r.status >= 400) fail(1, `Error from server (${reason(r)}): ${r.body.trim()}`);
  out(r.body);
}

export async function kubectl(argv: string[]): Promise<void> {
  if (!installedPackages().kubectl) commandNotFound('kubectl');
  const f = parseFlags(argv);
  if (f.rest[0] === 'apply') return apply(f);
  const rawAt = f.rest.indexOf('--raw');
  if (f.rest[0] === 'get' && rawAt >= 0) return raw(f, f.rest[rawAt + 1] ?? '/');
  inv().passthrough([REAL_KUBECTL, ...argv]);
}
