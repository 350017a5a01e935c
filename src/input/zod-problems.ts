// zod issues -> InputProblems with field paths and, for files, line:col.
import type { z } from 'zod';
import type { InputProblem } from '../errors.js';
import { formatPath, locate, type YamlSource } from './yaml-source.js';

export function zodProblems(error: z.ZodError, src?: YamlSource): InputProblem[] {
  const out: InputProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      // One problem per unknown key, pointing at the key itself.
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        out.push({
          path: formatPath(path),
          message: `unknown key "${key}"; check its spelling or remove it (see \`k8sha-wizard schema\`)`,
          ...(src ? locate(src, path, true) : {}),
        });
      }
      continue;
    }
    out.push({
      path: formatPath(issue.path),
      message: friendlier(issue),
      ...(src ? locate(src, issue.path) : {}),
    });
  }
  // File order reads best; problems without a position keep their place at the end.
  return dedupe(out).sort(
    (a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.col ?? 0) - (b.col ?? 0),
  );
}

function friendlier(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    // zod says "Invalid input: expected number, received undefined"; say it the way people talk.
    const m = /expected (\w+), received (\w+)/.exec(issue.message);
    if (m?.[2] === 'undefined') return 'is required';
    if (m && issue.message.startsWith('Invalid input'))
      return `must be ${article(m[1]!)}, not ${article(m[2]!)}`;
  }
  return issue.message;
}

function dedupe(problems: InputProblem[]): InputProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path}\n${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
