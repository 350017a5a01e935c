// Is a package installed, and at which version: `rpm -q` or `dpkg -s` for one package. Many in one
// batch become one query over all of them (on RHEL each rpm start opens the package database), and
// each read gets the lines its own query would have printed, with its exit code.
import { quote } from '../transport/shell.js';
import { answer, type Joiner } from './joined-read.js';

export function packageQueryRead(family: 'rhel' | 'debian', pkg: string): string {
  return family === 'rhel' ? `rpm -q ${quote(pkg)}` : `dpkg -s ${quote(pkg)} 2>/dev/null`;
}

// Package names that need no quoting (every one the tool asks about).
const NAME = '([a-z0-9][a-z0-9.+_-]*)';
const RPM_READ = new RegExp(`^rpm -q ${NAME}$`);
const DPKG_READ = new RegExp(`^dpkg -s ${NAME} 2>/dev/null$`);

/** rpm -q prints, in order, each package's installed versions or "package X is not installed". */
export const rpmQueries: Joiner = {
  of: (command) => RPM_READ.exec(command)?.[1],
  join: (names) => `rpm -q ${names.join(' ')}`,
  split(names, stdout, durationMs) {
    const lines = stdout.split('\n').filter(Boolean);
    let i = 0;
    const out = names.map((n) => {
      if (lines[i] === `package ${n} is not installed`) return answer(1, `${lines[i++]}\n`, durationMs);
      const mine: string[] = [];
      while (lines[i]?.startsWith(`${n}-`) && /^\d/.test(lines[i]!.slice(n.length + 1)))
        mine.push(lines[i++]!);
      return mine.length ? answer(0, `${mine.join('\n')}\n`, durationMs) : undefined;
    });
    // Lines left over: the output is not what was expected, so no read trusts it.
    return i === lines.length ? out : names.map(() => undefined);
  },
};

/**
 * dpkg -s prints a record per installed package, records apart by a blank line; the rest on stderr.
 * A record starts at its Package: field (other fields' continuation lines start with a space).
 */
export const dpkgQueries: Joiner = {
  of: (command) => DPKG_READ.exec(command)?.[1],
  join: (names) => `dpkg -s ${names.join(' ')} 2>/dev/null`,
  split(names, stdout, durationMs) {
    const records = new Map<string, string>();
    for (const record of stdout.split(/\n(?=Package: )/)) {
      const name = /^Package: (\S+)$/m.exec(record)?.[1]?.replace(/:.*$/, '');
      if (name) records.set(name, `${record.replace(/\n\s*$/, '')}\n`);
    }
    return names.map((n) => {
      const record = records.get(n);
      return record ? answer(0, record, durationMs) : answer(1, '', durationMs);
    });
  },
};
