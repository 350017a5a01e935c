// Reading YAML that a user hands us: size and encoding limits first, then a parse that keeps
// positions, so every later error can point at file:line:col.
import { readFileSync, statSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { InputError, type InputProblem } from '../errors.js';

export const MAX_INPUT_BYTES = 1024 * 1024;

export interface YamlSource {
  /** What to call the input in messages: a file path or e.g. "saved answers". */
  name: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

/** Read a file with the limits every user-supplied YAML file gets. Throws InputError. */
export function readYamlFile(path: string): YamlSource {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new InputError(path, [{ path: '', message: 'is not a regular file' }]);
    size = st.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new InputError(
      path,
      [{ path: '', message: `cannot read the file: ${why}` }],
      'check the path given to --answers',
    );
  }
  if (size > MAX_INPUT_BYTES) {
    throw new InputError(path, [
      { path: '', message: `the file is ${size} bytes; the limit is ${MAX_INPUT_BYTES} bytes (1 MiB)` },
    ]);
  }
  return parseYamlText(readFileSync(path), path);
}

/** Parse YAML text (or bytes) with the same limits as a file. Throws InputError. */
export function parseYamlText(input: string | Buffer, name: string): YamlSource {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (bytes.length > MAX_INPUT_BYTES) {
    throw new InputError(name, [
      { path: '', message: `the input is larger than 1 MiB (${bytes.length} bytes)` },
    ]);
  }
  if (bytes.includes(0)) {
    throw new InputError(name, [{ path: '', message: 'contains NUL bytes: this is not a YAML text file' }]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(name, [
      { path: '', message: 'is not valid UTF-8 text: this is not a YAML text file' },
    ]);
  }
  const deep = excessiveNesting(text);
  if (deep) {
    throw new InputError(name, [
      {
        path: '',
        message: `nests deeper than ${MAX_NESTING} levels (${deep.what}); an answers file needs a handful`,
        line: deep.line,
        col: deep.col,
      },
    ]);
  }
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    // uniqueKeys: a repeated key is an error, not a silent override.
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    throw new InputError(name, [{ path: '', message: `YAML could not be parsed: ${(e as Error).message}` }]);
  }
  if (doc.errors.length > 0) {
    throw new InputError(
      name,
      doc.errors.map((err) => ({
        path: '',
        message: `YAML syntax: ${firstLine(err.message)}`,
        ...position(lines, err.pos[0]),
      })),
    );
  }
  return { name, doc, lines };
}

/** Convert the document to plain JS, turning alias bombs and similar into InputError. */
export function toPlain(src: YamlSource): unknown {
  try {
    return src.doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    throw new InputError(src.name, [
      { path: '', message: `YAML could not be loaded: ${(e as Error).message}` },
    ]);
  }
}

/** Deeper than this is refused before parsing: the parser's cost grows with depth, not with size. */
export const MAX_NESTING = 64;
/** Block nesting shows as indentation; no answers file comes near this many columns. */
const MAX_INDENT = 256;

/**
 * A linear scan for nesting the parser would pay dearly for: flow collections ([ {) opened inside
 * each other, compact block sequences (- - - …) on one line, or deep indentation. Quoted scalars and
 * comments are skipped. Returns where it got too deep, or undefined.
 */
export function excessiveNesting(text: string): { line: number; col: number; what: string } | undefined {
  let flow = 0;
  let line = 1;
  let lineStart = 0;
  let atLineStart = true;
  let indicators = 0;
  let tokenStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      lineStart = i + 1;
      atLineStart = true;
      indicators = 0;
      tokenStart = true;
      continue;
    }
    if (atLineStart) {
      if (c === ' ') {
        if (i - lineStart >= MAX_INDENT)
          return { line, col: i - lineStart + 1, what: `indented more than ${MAX_INDENT} columns` };
        continue;
      }
      if ((c === '-' || c === '?') && (text[i + 1] === ' ' || text[i + 1] === '\n')) {
        if (++indicators > MAX_NESTING)
          return { line, col: i - lineStart + 1, what: 'block sequences inside each other on one line' };
        continue;
      }
      atLineStart = false;
    }
    if (c === '#' && (i === lineStart || text[i - 1] === ' ' || text[i - 1] === '\t')) {
      const end = text.indexOf('\n', i);
      if (end < 0) break;
      i = end - 1;
      continue;
    }
    if ((c === '"' || c === "'") && tokenStart) {
      // Skip the quoted scalar ('' is an escaped quote in single quotes, \" in double quotes).
      let j = i + 1;
      for (; j < text.length; j++) {
        if (c === '"' && text[j] === '\\') j++;
        else if (text[j] === c) {
          if (c === "'" && text[j + 1] === "'") j++;
          else break;
        }
      }
      for (let k = i; k < j && k < text.length; k++)
        if (text[k] === '\n') {
          line++;
          lineStart = k + 1;
        }
      i = j;
      tokenStart = false;
      continue;
    }
    if (c === '[' || c === '{') {
      if (++flow > MAX_NESTING)
        return { line, col: i - lineStart + 1, what: 'flow collections ([ or {) inside each other' };
      tokenStart = true;
      continue;
    }
    if (c === ']' || c === '}') flow = Math.max(0, flow - 1);
    tokenStart = c === ' ' || c === ',' || c === ':' || c === '\t';
  }
  return undefined;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function position(lines: LineCounter, offset: number | undefined): { line?: number; col?: number } {
  if (offset === undefined) return {};
  const p = lines.linePos(offset);
  return { line: p.line, col: p.col };
}

/**
 * Where a field path sits in the source. For a missing key, the nearest existing parent;
 * with `key: true`, the key itself rather than its value (for "unknown key" messages).
 */
export function locate(
  src: YamlSource,
  path: readonly PropertyKey[],
  key = false,
): { line?: number; col?: number } {
  let node: unknown = src.doc.contents;
  let best: Node | undefined = node as Node | undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find(
        (it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg),
      );
      if (!pair) break;
      if (key && i === path.length - 1) {
        best = pair.key as Node;
        break;
      }
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else break;
    if (node && typeof node === 'object' && 'range' in node) best = node as Node;
  }
  return position(src.lines, best?.range?.[0]);
}

/** Turn a path array into `hosts[2].address`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

export type { InputProblem };
