// After the joins, the bootstrap token and the certificate key have done their job, but every node's
// /etc/kubernetes/kubeadm-config.yaml still holds them. Each node keeps the file (its settings are
// useful to read) with both values replaced, so a copied disk or a backup of /etc leaks neither.
import { KUBEADM_CONFIG_PATH } from '../render/kubeadm.js';
import type { RenderedFile } from '../render/types.js';
import type { StepContext } from './engine/context.js';
import type { Step } from './engine/step.js';

export const REMOVED_SECRET = 'removed-after-join';

function scrubbed(ctx: StepContext): RenderedFile {
  const f = ctx.file(KUBEADM_CONFIG_PATH);
  const s = ctx.svc.secrets();
  let content = f.content;
  for (const v of [s.bootstrapToken, s.certificateKey]) content = content.split(v).join(REMOVED_SECRET);
  return {
    ...f,
    secret: false,
    content: `# k8sha-wizard removed the bootstrap token and the certificate key after the joins.\n${content}`,
  };
}

export const scrubJoinSecrets: Step = {
  id: 'scrub-join-secrets',
  title: 'Remove join secrets from kubeadm-config.yaml',
  phase: 'join',
  scope: 'node',
  appliesTo: () => true,
  retry: { tries: 2, delayMs: 3000 },
  // The cluster works either way; the secrets expire (token 2 h, certificates 2 h) regardless.
  skippable: true,
  check: (ctx) => ctx.isUpToDate(scrubbed(ctx)),
  async apply(ctx) {
    await ctx.ensureFile(scrubbed(ctx));
  },
};
