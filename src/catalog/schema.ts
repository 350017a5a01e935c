// The catalog file's shape (assets/catalog.yaml, or --catalog FILE).
import { z } from 'zod';

const semver = z.string().regex(/^\d+\.\d+\.\d+$/, 'expected a version like 1.36.4');
const minor = z.string().regex(/^\d+\.\d+$/, 'expected a minor version like 1.36');
const isoDate = z.union([
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  z.date().transform((d) => d.toISOString().slice(0, 10)),
]);
const url = z.string().min(1);

const rpmRepo = z.strictObject({ baseurl: url, gpgkey: url });
const debRepo = z.strictObject({ url, key: url });

export const mirrorSchema = z.strictObject({
  imageRepository: z.string().min(1),
  kubernetes: z.strictObject({ rpm: rpmRepo, deb: debRepo }),
  dockerCe: z.strictObject({ rpm: rpmRepo, deb: debRepo }),
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
  notes: z.array(z.string()).default([]),
});
export type MinorEntry = z.infer<typeof minorEntrySchema>;

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
      manifestUrl: url,
      typhaManifestUrl: url,
      typhaAboveNodes: z.number().int().positive(),
    }),
    addons: z.strictObject({
      kuboard: z.strictObject({
        version: z.string(),
        manifestUrl: url,
        namespace: z.string(),
        nodePort: z.number().int().min(1).max(65535),
      }),
    }),
    mirrors: z.strictObject({ official: mirrorSchema, aliyun: mirrorSchema }),
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
