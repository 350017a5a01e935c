// Quoting for text that lands in a shell command or a config file. Renderers and steps both use
// these; nothing here does I/O.

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

/** A TOML basic string ("…"), escaped per the TOML 1.0 spec. */
export function tomlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
