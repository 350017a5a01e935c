// Turn what the operator wrote for kubernetesVersion into an exact, supported version, or explain why not.
import type { Catalog, MinorEntry } from './schema.js';

export interface ResolvedVersion {
  minor: string;
  /** Exact patch, e.g. "1.36.4". */
  patch: string;
  entry: MinorEntry;
}

export type VersionResult = { ok: true; value: ResolvedVersion } | { ok: false; message: string };

export function supportedMinors(catalog: Catalog): string[] {
  return Object.keys(catalog.kubernetes).sort(compareMinor);
}

export function resolveKubernetesVersion(catalog: Catalog, input: string): VersionResult {
  const v = input.trim().replace(/^v/, '');
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(v);
  const choices = describeChoices(catalog);
  if (!m)
    return {
      ok: false,
      message: `"${input}" is not a version; write a minor like "1.36" or a patch like "1.36.4". ${choices}`,
    };
  const minor = `${Number(m[1])}.${Number(m[2])}`;
  const entry = catalog.kubernetes[minor];
  if (entry) {
    const patch = m[3] !== undefined ? `${minor}.${Number(m[3])}` : entry.defaultPatch;
    return { ok: true, value: { minor, patch, entry } };
  }
  const eol = catalog.endOfLife[minor];
  const oldest = supportedMinors(catalog)[0];
  if (eol || (oldest && compareMinor(minor, oldest) < 0)) {
    const reasons = [
      `Kubernetes ${minor} is end-of-life${eol ? ` (since ${eol})` : ''}: it gets no security fixes`,
    ];
    if (compareMinor(minor, '1.24') < 0) {
      reasons.push('its packages were only in the Google repositories, which were removed on 2024-03-04');
      reasons.push(
        'it predates the removal of dockershim (1.24), so its recipes assume Docker as the runtime',
      );
    }
    return { ok: false, message: `${reasons.join('; ')}. ${choices}` };
  }
  return {
    ok: false,
    message: `Kubernetes ${minor} is not in the catalog. ${choices} For a newer release, pass a newer catalog with --catalog FILE.`,
  };
}

function describeChoices(catalog: Catalog): string {
  return `Supported: ${supportedMinors(catalog).join(', ')} (recommended ${catalog.recommended}).`;
}

export function compareMinor(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1! - b1! || a2! - b2!;
}

export function compareSemver(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.').map(Number);
  const pb = b.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
