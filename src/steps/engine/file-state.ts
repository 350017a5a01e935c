// The read that tells whether a node has a file as rendered: its SHA-256 line, then its mode. Many of
// them in one batch become one sha256sum and one stat over all the files, so a rerun's check starts
// two processes per step instead of two per file; each read's answer is rebuilt byte for byte.
import { quote } from '../transport/shell.js';
import { answer, type Joiner } from './joined-read.js';

/** The read for one file: `sha256sum` (the hash line), then `stat` (the mode in octal). */
export function fileStateRead(path: string): string {
  const q = quote(path);
  return `sha256sum ${q} 2>/dev/null; stat -c %a ${q} 2>/dev/null`;
}

// Only paths that need no quoting are joined: their names come back from sha256sum and stat as given.
const PLAIN_PATH = /^\/[A-Za-z0-9_./-]+$/;
const READ = /^sha256sum (\S+) 2>\/dev\/null; stat -c %a (\S+) 2>\/dev\/null$/;

export const fileStates: Joiner = {
  of(command) {
    const m = READ.exec(command);
    return m && m[1] === m[2] && PLAIN_PATH.test(m[1]!) ? m[1] : undefined;
  },
  join: (paths) =>
    `sha256sum ${paths.join(' ')} 2>/dev/null; stat -c '%a %n' ${paths.join(' ')} 2>/dev/null; true`,
  split(paths, stdout, durationMs) {
    const hashLine = new Map<string, string>();
    const mode = new Map<string, string>();
    for (const line of stdout.split('\n')) {
      const h = /^[0-9a-f]{64} {2}(.+)$/.exec(line);
      if (h) hashLine.set(h[1]!, line);
      const s = /^([0-7]{1,4}) (.+)$/.exec(line);
      if (s) mode.set(s[2]!, s[1]!);
    }
    return paths.map((p) => {
      const hash = hashLine.get(p);
      const m = mode.get(p);
      const out = `${hash === undefined ? '' : `${hash}\n`}${m === undefined ? '' : `${m}\n`}`;
      return answer(m === undefined ? 1 : 0, out, durationMs);
    });
  },
};
