// "~/x" -> "$HOME/x", as a shell would for identity files.
import { homedir } from 'node:os';

export function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? `${homedir()}${p.slice(1)}` : p;
}
