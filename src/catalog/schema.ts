// The catalog file's shape (assets/catalog.yaml, or --catalog FILE).
import { z } from 'zod';
import { hasControlChars } from '../text/terminal.js';
import { PLACEHOLDERS, REGISTRY_PATH, urlField } from '../input/url-template.js';

const semver = z.string().regex(/^\d+\.\d+\.\d+$/, 'expected a version like 1.36.4');
const minor = z.string().regex(/^\d+\.\d+$/, 'expected a minor version like 1.36');
const isoDate = z.union([
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  z.date().transform((d) => d.toISOString().slice(0, 10)),
]);
// Every string here reaches a repository file, a shell script or a config file on the nodes, so each
// is held to the same rules as the answers (src/input/url-template.ts), placeholders included.
function rpmRepo(placeholders: readonly string[]) {
  const rule = { placeholders, yumVariables: true };
  return z.strictObject({ baseurl: urlField(rule), gpgkey: urlField(rule) });
}
function debRepo(placeholders: readonly string[]) {
  return z.strictObject({ url: urlField({ placeholders }), key: urlField({ placeholders }) });
}
/** Text shown to the operator: one line, no terminal control characters. */
const note = z
  .string()
  .max(500)
  .refine((s) => !hasControlChars(s), 'must be one line of text without control characters');

export const mirrorSchema = z.strictObject({
  imageRepository: z
    .string()
    .max(255)
    .regex(REGISTRY_PATH, 'must be a registry path such as registry.k8s.io or harbor.example.com/k8s'),
  kubernetes: z.strictObject({
    rpm: rpmRepo(PLACEHOLDERS.kubernetesRepo),
    deb: debRepo(PLACEHOLDERS.kubernetesRepo),
  }),
  dockerCe: z.strictObject({
    rpm: rpmRepo(PLACEHOLDERS.dockerCeRpm),
    deb: debRepo(PLACEHOLDERS.dockerCeDeb),
  }),
});
export type Mirror = z.infer<typeof mirrorSchema>;

export const minorEntrySchema = z.strictObject({
  defaultPatch: semver,
  released: isoDate,
  endOfLife: isoDate,
  kubeadmApiVersion: z.enum(['kubeadm.k8s.io/v1beta3', 'kubeadm.k8s.io/v1beta4']),
  containerd: z.strictObject({ version: semver, minimum: semver }),
  pauseImage: z.string().regex(/^pause:[\w.-]+$/, 'expected pause:<tag>'),
  calico: z.strictObject({ version: z.string().regex(/^v\d+\.\d+\.\d+$/) }),
  notes: z.array(note).max(20).default([]),
});
export type MinorEntry = z.infer<typeof minorEntrySchema>;

/** One operating system the tool installs on, with the major (or Ubuntu YY.MM) versions it supports. */
export const operatingSystemSchema = z.strictObject({
  /** /etc/os-release ID. */
  id: z.string().regex(/^[a-z][a-z0-9._-]{0,31}$/, 'expected an /etc/os-release ID such as rocky'),
  /** Shown in preflight's messages: a plain name. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 .()-]{0,63}$/, 'expected a plain name such as Rocky Linux'),
  family: z.enum(['rhel', 'debian']),
  /** VERSION_ID values, or their major: "9" accepts 9.6. */
  versions: z
    .array(z.string().regex(/^\d+(\.\d+)?$/, 'expected a version such as 9 or 24.04'))
    .min(1)
    .max(20),
  /** The firewall tool the OS runs by default, which preflight and the firewall step expect. */
  firewall: z.enum(['firewalld', 'ufw', 'none']),
});
export type OperatingSystem = z.infer<typeof operatingSystemSchema>;

export const catalogSchema = z
  .strictObject({
    catalogVersion: z.literal(1),
    recommended: minor,
    kubernetes: z.record(minor, minorEntrySchema),
    endOfLife: z.record(minor, isoDate).default({}),
    kubernetesPackages: z.strictObject({
      debRevision: z.string().regex(/^[\w.]+$/),
      rpmRelease: z.string().regex(/^[\w.]+$/),
    }),
    calico: z.strictObject({
      manifestUrl: urlField({ placeholders: PLACEHOLDERS.calicoManifest }),
      typhaManifestUrl: urlField({ placeholders: PLACEHOLDERS.calicoManifest }),
      typhaAboveNodes: z.number().int().positive(),
    }),
    addons: z.strictObject({
      kuboard: z.strictObject({
        version: z.string().regex(/^v?[0-9A-Za-z.-]{1,32}$/, 'expected a version such as v3'),
        manifestUrl: urlField({ placeholders: PLACEHOLDERS.plain }),
        namespace: z
          .string()
          .regex(
            /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
            'must be a Kubernetes namespace name (RFC 1123 label)',
          ),
        nodePort: z
          .number()
          .int()
          .min(30000, 'must be a NodePort (30000–32767)')
          .max(32767, 'must be a NodePort (30000–32767)'),
      }),
    }),
    /** The kube-vip static pod's image (loadBalancer.mode kube-vip). Absent: that mode is refused. */
    kubeVip: z
      .strictObject({
        image: z
          .string()
          .max(255)
          .regex(REGISTRY_PATH, 'expected an image without its tag, such as ghcr.io/kube-vip/kube-vip'),
        version: z
          .string()
          .regex(/^v\d+\.\d+\.\d+$/, 'expected a release such as v1.2.3')
          // kube-vip#1377: leader election could stall and drop the VIP in these releases.
          .refine(
            (v) => !['v1.0.1', 'v1.0.2', 'v1.0.3'].includes(v),
            'kube-vip v1.0.1–v1.0.3 can lose the VIP in a stalled election (kube-vip#1377); use v1.0.4 or later',
          ),
      })
      .optional(),
    mirrors: z.strictObject({ official: mirrorSchema, aliyun: mirrorSchema }),
    /** Where preflight accepts a host. Absent (an older custom catalog): any RHEL or Debian family. */
    operatingSystems: z.array(operatingSystemSchema).max(50).optional(),
  })
  .superRefine((c, ctx) => {
    if (!c.kubernetes[c.recommended]) {
      ctx.addIssue({
        code: 'custom',
        path: ['recommended'],
        message: `"${c.recommended}" is not listed under kubernetes`,
      });
    }
    for (const [m, e] of Object.entries(c.kubernetes)) {
      if (!e.defaultPatch.startsWith(`${m}.`)) {
        ctx.addIssue({
          code: 'custom',
          path: ['kubernetes', m, 'defaultPatch'],
          message: `${e.defaultPatch} is not a patch of ${m}`,
        });
      }
    }
  });
export type Catalog = z.infer<typeof catalogSchema>;
export type MirrorName = keyof Catalog['mirrors'];
