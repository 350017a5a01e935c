// PATCH bodies as kubectl sends them: merge patches (JSON merge and, for the simple cases kubectl
// uses — cordon, labels, annotations — strategic merge) and JSON patches (RFC 6902).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export function mergePatch(target: Json, patch: Json): Json {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue; // strategic-merge directives ($patch, $retainKeys …)
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function pointer(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function jsonPatch(target: Json, ops: { op: string; path: string; value?: Json }[]): Json {
  const doc = structuredClone(target);
  for (const o of ops) {
    const parts = pointer(o.path);
    const last = parts.pop()!;
    let parent = doc;
    for (const p of parts) {
      if (parent[p] === undefined) parent[p] = {};
      parent = parent[p];
    }
    if (o.op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (o.op === 'add' && Array.isArray(parent)) {
      if (last === '-') parent.push(o.value);
      else parent.splice(Number(last), 0, o.value);
    } else if (o.op === 'add' || o.op === 'replace') parent[last] = o.value;
    else if (o.op === 'test' && JSON.stringify(parent[last]) !== JSON.stringify(o.value))
      throw new Error(`the test operation on ${o.path} failed`);
  }
  return doc;
}
