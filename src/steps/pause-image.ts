// The sandbox (pause) image containerd was configured with comes from the catalog; kubeadm knows the
// one its release expects. They should agree: kubeadm's preflight only warns on a mismatch and the
// cluster still works, but the catalog entry is then stale. Ask kubeadm once it is installed, and say so.
import { resolvedVersion } from '../answers/model.js';
import { KUBEADM_CONFIG_PATH } from '../render/kubeadm.js';
import type { StepContext } from './engine/context.js';

/** The `pause:<tag>` in `kubeadm config images list` output, or undefined when it lists none. */
export function pauseFromImageList(list: string): string | undefined {
  for (const line of list.split('\n')) {
    const m = /\/(pause:[\w.-]+)\s*$/.exec(line.trim());
    if (m) return m[1];
  }
  return undefined;
}

export async function comparePauseImage(ctx: StepContext): Promise<void> {
  const r = await ctx.probe(`kubeadm config images list --config ${KUBEADM_CONFIG_PATH} 2>/dev/null`);
  const expected = r.code === 0 ? pauseFromImageList(r.stdout) : undefined;
  const { entry, patch, minor } = resolvedVersion(ctx.answers, ctx.catalog);
  if (!expected || expected === entry.pauseImage) return;
  ctx.notice(
    `kubeadm ${patch} expects ${expected}, but containerd's sandbox image is ${entry.pauseImage} from the catalog. ` +
      `The cluster works (kubeadm preflight warns); set pauseImage: ${expected} for ${minor} in the catalog ` +
      `(--catalog FILE) so the next install configures containerd with it.`,
  );
}
