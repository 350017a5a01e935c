// Shell text for remote commands. Every interpolated value goes through quote().
import { quote } from '../../shell/quote.js';

export { quote };

/** Environment every remote command gets: predictable output, no interactive package prompts. */
export const REMOTE_ENV =
  'export LC_ALL=C LANG=C DEBIAN_FRONTEND=noninteractive PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin;';

/** `sh -c <command>` with the remote environment, quoted for an SSH exec request. */
export function wrapForRemote(command: string): string {
  return `sh -c ${quote(`${REMOTE_ENV} ${command}`)}`;
}

/** Markers that let the transport tell sudo's password prompt from the command's own output. */
export interface SudoMarkers {
  prompt: string;
  started: string;
}

/**
 * The same through sudo. Without a password: `sudo -n` (never prompts). With one: `sudo -S` with a
 * prompt only the transport knows, and a start marker the command prints first, so the password is
 * written only when sudo asks for it and the command's stdin stays the command's.
 */
export function wrapForSudo(command: string, markers?: SudoMarkers): string {
  if (!markers) return `sudo -n ${wrapForRemote(command)}`;
  const inner = `printf '%s\\n' ${quote(markers.started)} >&2; ${REMOTE_ENV} ${command}`;
  return `sudo -S -p ${quote(markers.prompt)} sh -c ${quote(inner)}`;
}
