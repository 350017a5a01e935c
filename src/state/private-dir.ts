// The state directory holds secrets and the journal: it must be ours and closed to others. An
// existing directory that another user owns, or that group or others may write, is refused rather
// than trusted; a new one is created 0700.
import { chmodSync, closeSync, constants, fstatSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { RuntimeError } from '../errors.js';

const GROUP_OR_OTHER_WRITE = 0o022;

export function ensurePrivateDir(dir: string): void {
  let created: string | undefined;
  try {
    created = mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new RuntimeError(
      `cannot create the state directory ${dir}: ${(e as NodeJS.ErrnoException).code}`,
      'check the permissions of its parent, or choose another one with --state-dir',
    );
  }
  if (created) {
    chmodSync(dir, 0o700); // the mode passed to mkdir is masked by the umask
    return;
  }
  const st = statSync(dir);
  if (!st.isDirectory())
    throw new RuntimeError(
      `${dir} is not a directory`,
      'remove it, or choose another state directory with --state-dir',
    );
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw new RuntimeError(
      `the state directory ${dir} belongs to uid ${st.uid}, not to you (uid ${uid}): its owner could read the cluster's secrets and change the journal`,
      `use a directory of your own with --state-dir, or fix the owner: chown -R ${uid} ${dir}`,
    );
  if (st.mode & GROUP_OR_OTHER_WRITE)
    throw new RuntimeError(
      `the state directory ${dir} is writable by ${st.mode & 0o002 ? 'everyone' : 'its group'} (mode ${(st.mode & 0o777).toString(8)}): others could change the journal or swap the secrets file`,
      `chmod 700 ${dir}`,
    );
}

/** The state root and each directory below it on the way to `dir`, every one private. */
export function ensurePrivateTree(root: string, dir: string): void {
  ensurePrivateDir(root);
  const rel = relative(root, dir);
  if (!rel || rel.startsWith('..')) return ensurePrivateDir(dir);
  let cur = root;
  for (const part of rel.split(sep)) {
    cur = join(cur, part);
    ensurePrivateDir(cur);
  }
}

/** Open a file for reading without following a symlink; refuses one owned by someone else. */
export function openPrivateFile(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP')
      throw new RuntimeError(
        `${path} is a symbolic link; k8sha-wizard does not follow links in its state directory`,
        `remove the link (rm ${path}) and put the real file there`,
      );
    throw e;
  }
  const st = fstatSync(fd);
  const uid = process.getuid?.();
  if (!st.isFile() || (uid !== undefined && st.uid !== uid)) {
    closeSync(fd);
    throw new RuntimeError(
      `${path} is not a regular file of yours`,
      'remove it; k8sha-wizard writes a new one',
    );
  }
  return fd;
}
