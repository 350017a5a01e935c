// The wizard edits a draft: plain data in the shape of the answers file. check-draft.ts validates it
// with the same zod schema as `apply --answers`; this file stays free of zod, because the wizard's
// first screen draws before zod loads.
import { API_VERSION } from '../answers/defaults.js';
import type { Answers } from '../answers/schema.js';
import type { Catalog } from '../catalog/schema.js';
import type { InputProblem } from '../errors.js';

export interface DraftHost {
  name: string;
  address: string;
  role: 'control-plane' | 'worker';
  interface?: string;
  ssh?: { user?: string; port?: number };
}

/** Loosely typed on purpose: a draft may be invalid while the operator is typing. */
export type Draft = {
  apiVersion: string;
  cluster: { name: string; kubernetesVersion?: string };
  hosts: DraftHost[];
  ssh?: Record<string, unknown>;
  loadBalancer?: Record<string, unknown>;
  network?: Record<string, unknown>;
  mirror?: string;
  mirrorOverrides?: Record<string, unknown>;
  versions?: Record<string, unknown>;
  addons?: Record<string, unknown>;
  system?: Record<string, unknown>;
};

export function emptyDraft(catalog: Catalog): Draft {
  return {
    apiVersion: API_VERSION,
    cluster: { name: '', kubernetesVersion: catalog.recommended },
    hosts: [],
  };
}

export interface DraftCheck {
  answers?: Answers;
  problems: InputProblem[];
}

/** Drop empty strings and empty objects, so an untouched optional field means "use the default". */
export function compact<T>(v: T): T {
  if (Array.isArray(v)) return v.map(compact) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const c = compact(x);
      if (c === '' || c === undefined) continue;
      if (c && typeof c === 'object' && !Array.isArray(c) && Object.keys(c).length === 0) continue;
      out[k] = c;
    }
    return out as T;
  }
  return v;
}

/** Problems under a field path prefix: 'loadBalancer' matches 'loadBalancer.vip' and 'loadBalancer'. */
export function problemsAt(problems: InputProblem[], prefix: string): InputProblem[] {
  return problems.filter(
    (p) => p.path === prefix || p.path.startsWith(`${prefix}.`) || p.path.startsWith(`${prefix}[`),
  );
}

/** The first problem message for exactly this field, if any. */
export function messageFor(problems: InputProblem[], path: string): string | undefined {
  return problems.find((p) => p.path === path)?.message;
}
