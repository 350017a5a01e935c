// What changed between two sets of answers, as field paths (for "answers changed since the run began").
import { createHash } from 'node:crypto';

export function answersHash(a: unknown): string {
  return createHash('sha256').update(canonical(a)).digest('hex');
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function diffAnswers(before: unknown, after: unknown, path = ''): string[] {
  if (canonical(before) === canonical(after)) return [];
  const isObj = (x: unknown) => x !== null && typeof x === 'object';
  if (isObj(before) && isObj(after) && Array.isArray(before) === Array.isArray(after)) {
    const keys = new Set([...Object.keys(before as object), ...Object.keys(after as object)]);
    const out: string[] = [];
    for (const k of keys) {
      const sub = Array.isArray(before) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
      out.push(
        ...diffAnswers((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k], sub),
      );
    }
    return out;
  }
  const show = (x: unknown) => (x === undefined ? '(unset)' : JSON.stringify(x));
  return [`${path || '(answers)'}: ${show(before)} -> ${show(after)}`];
}
