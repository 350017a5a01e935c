// Shell text for remote commands. Every interpolated value goes through quote().

/**
 * POSIX single quotes. zx's quote() is the usual choice, but it emits bash's $'…' for strings with
 * quotes or newlines, which dash (/bin/sh on Debian and Ubuntu) takes literally. Single quotes with
 * '\'' for embedded quotes mean the same thing in every POSIX shell.
 */
export function quote(value: string): string {
  if (value.includes('\0')) throw new Error('a shell argument cannot contain NUL');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Environment every remote command gets: predictable output, no interactive package prompts. */
export const REMOTE_ENV =
  'export LC_ALL=C LANG=C DEBIAN_FRONTEND=noninteractive PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin;';

/** `sh -c <command>` with the remote environment, quoted for an SSH exec request. */
export function wrapForRemote(command: string): string {
  return `sh -c ${quote(`${REMOTE_ENV} ${command}`)}`;
}

/** The same through sudo: with a password on stdin (-S, empty prompt), or none (-n). */
export function wrapForSudo(command: string, withPassword: boolean): string {
  return `sudo ${withPassword ? "-S -p ''" : '-n'} ${wrapForRemote(command)}`;
}
