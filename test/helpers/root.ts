// Tests that need root (network and mount namespaces) skip loudly where root is missing, and fail
// instead of skipping in CI, where `.ci/run` runs them as root.
import { execFileSync } from 'node:child_process';

export const isRoot = process.getuid?.() === 0;
export const mustRunPrivileged = Boolean(process.env.CI || process.env.K8SHA_REQUIRE_LAB);

function namespacesWork(): boolean {
  if (!isRoot) return false;
  try {
    execFileSync('unshare', ['--net', '--mount', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const canUseNamespaces = namespacesWork();

/**
 * Returns true when privileged tests may run. Otherwise prints a loud warning, or throws in CI,
 * so a missing capability never turns into a silently green suite.
 */
export function privilegedOrSkip(what: string): boolean {
  if (canUseNamespaces) return true;
  const why = isRoot ? 'network/mount namespaces are not available' : 'not running as root';
  if (mustRunPrivileged) throw new Error(`${what}: ${why}, but CI must run these tests (run as root)`);
  process.stderr.write(`\n*** SKIPPING ${what}: ${why}. Run the tests as root to include them. ***\n\n`);
  return false;
}
