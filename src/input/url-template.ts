// URLs that end up in repository files, shell scripts and curl command lines: the answers' mirror
// overrides and every URL of a --catalog. One rule for both: http(s), no characters a shell or a
// config file would read as syntax, a bounded length, and only the {placeholders} the field fills.
import { z } from 'zod';

export const MAX_URL_LENGTH = 2048;

/** yum substitutes these itself in .repo files; nothing else may carry a `$`. */
const YUM_VARIABLES = ['$releasever', '$basearch'];

export interface UrlRule {
  /** Placeholders the renderer fills for this field, e.g. ['minor']. */
  placeholders: readonly string[];
  /** yum's own $releasever and $basearch (rpm repository URLs only). */
  yumVariables?: boolean;
}

export function urlProblem(value: string, rule: UrlRule): string | undefined {
  if (value.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let rest = value;
  if (rule.yumVariables) for (const v of YUM_VARIABLES) rest = rest.split(v).join('');
  for (const m of rest.matchAll(/\{([^{}]*)\}/g)) {
    if (!rule.placeholders.includes(m[1]!))
      return rule.placeholders.length
        ? `uses the placeholder {${m[1]}}, but this URL can only use ${rule.placeholders.map((p) => `{${p}}`).join(', ')}`
        : `uses the placeholder {${m[1]}}, but this URL takes no placeholders`;
  }
  rest = rest.replace(/\{[^{}]*\}/g, 'x');
  if (!/^https?:\/\/[A-Za-z0-9._~:/?#@!+,=%-]+$/.test(rest))
    return `must be an http(s) URL without spaces, quotes or shell characters${rule.yumVariables ? ' ($releasever and $basearch are allowed)' : ''}`;
  return undefined;
}

export function urlField(rule: UrlRule) {
  return z.string().superRefine((s, ctx) => {
    const problem = urlProblem(s, rule);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/** A container registry path such as registry.k8s.io or harbor.example.com:5000/k8s. */
export const REGISTRY_PATH = /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/;

export const PLACEHOLDERS = {
  kubernetesRepo: ['minor'],
  dockerCeDeb: ['distro', 'codename'],
  dockerCeRpm: [],
  calicoManifest: ['version'],
  plain: [],
} as const;
