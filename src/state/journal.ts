// The run journal: the state of every (node, step), so a crash, Ctrl-C or failure can be resumed.
// It is append-only: a snapshot line, then one JSON line per change, each written with one write()
// (a kill -9 loses nothing written; a torn last line after a power cut is ignored). Marks and the
// final status are fsynced at once, step changes at most every SYNC_MS. When the file has grown to a
// few times its snapshot, it is compacted: a new snapshot is written atomically in its place.
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Answers } from '../answers/schema.js';
import { writeFileAtomic } from './atomic-write.js';
import { openPrivateFile } from './private-dir.js';

export type StepState = 'running' | 'done' | 'failed' | 'skipped';

export interface StepRecord {
  state: StepState;
  attempts: number;
  changed?: boolean;
  startedAt?: string;
  finishedAt?: string;
  error?: string;
}

export interface JournalMarks {
  /** When `kubeadm init` last completed (it must never run twice). */
  initCompletedAt?: string;
  /** When control-plane certificates were last uploaded (they expire after 2 h). */
  certsUploadedAt?: string;
  /** When the bootstrap token in the secrets was created. */
  tokenCreatedAt?: string;
}

export interface Journal {
  version: 1;
  runId: string;
  cluster: string;
  /** Which operation this run is (install, add, remove, upgrade …); install when absent. */
  operation?: string;
  answersHash: string;
  answers: Answers;
  /** 'refused': the run stopped at a refusal before anything changed; it needs no resume. */
  status: 'running' | 'failed' | 'aborted' | 'completed' | 'refused';
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** How many times this run was resumed. */
  resumes: number;
  steps: Record<string, StepRecord>;
  marks: JournalMarks;
  logDir: string;
  /** Operation-specific facts that must survive a crash (e.g. the node being removed). */
  context?: Record<string, unknown>;
}

type Change =
  | { t: 'step'; k: string; r: StepRecord }
  | { t: 'mark'; name: keyof JournalMarks; at: string }
  | { t: 'status'; status: Journal['status']; at: string }
  | { t: 'context'; key: string; value: unknown };

export function stepKey(node: string, step: string): string {
  return `${node}|${step}`;
}

export function journalPath(clusterDir: string): string {
  return join(clusterDir, 'journal.jsonl');
}

/** The single-JSON journal of earlier versions; read once, then replaced. */
function legacyPath(clusterDir: string): string {
  return join(clusterDir, 'journal.json');
}

function present(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function apply(j: Journal, c: Change): void {
  if (c.t === 'step') j.steps[c.k] = c.r;
  else if (c.t === 'mark') {
    // An empty time clears the mark (a reset cluster is not initialized any more).
    if (c.at) j.marks[c.name] = c.at;
    else delete j.marks[c.name];
  } else if (c.t === 'context') (j.context ??= {})[c.key] = c.value;
  else {
    j.status = c.status;
    if (c.status !== 'running') j.finishedAt = c.at;
    else delete j.finishedAt;
    j.updatedAt = c.at;
  }
}

function readText(p: string): string {
  const fd = openPrivateFile(p);
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

export function readJournal(clusterDir: string): Journal | undefined {
  const p = journalPath(clusterDir);
  if (!present(p)) {
    const legacy = legacyPath(clusterDir);
    return present(legacy) ? (JSON.parse(readText(legacy)) as Journal) : undefined;
  }
  const lines = readText(p).split('\n');
  const first = lines.shift();
  if (!first) return undefined;
  const j = (JSON.parse(first) as { snapshot: Journal }).snapshot;
  for (const line of lines) {
    if (!line) continue;
    let c: Change;
    try {
      c = JSON.parse(line) as Change;
    } catch {
      break; // a torn last line (power cut mid-write): everything before it stands
    }
    apply(j, c);
  }
  return j;
}

const SYNC_MS = 500;
const MIN_COMPACT_BYTES = 256 * 1024;

/** The open journal of one run. Every change updates the in-memory journal and appends one line. */
export class JournalWriter {
  private fd: number | undefined;
  private size = 0;
  private snapshotSize = 0;
  private syncTimer: NodeJS.Timeout | undefined;
  /** Bytes and time spent writing, for the journal benchmark. */
  readonly stats = { bytes: 0, writes: 0, compactions: 0, syncs: 0 };

  constructor(
    private readonly dir: string,
    readonly journal: Journal,
  ) {
    this.compact();
  }

  step(node: string, step: string, record: StepRecord): void {
    this.change({ t: 'step', k: stepKey(node, step), r: record }, false);
  }

  mark(name: keyof JournalMarks, at: string): void {
    this.change({ t: 'mark', name, at }, true);
  }

  context(key: string, value: unknown): void {
    this.change({ t: 'context', key, value }, true);
  }

  status(status: Journal['status']): void {
    this.change({ t: 'status', status, at: new Date().toISOString() }, true);
  }

  private change(c: Change, durable: boolean): void {
    apply(this.journal, c);
    const line = `${JSON.stringify(c)}\n`;
    if (this.size + line.length > Math.max(MIN_COMPACT_BYTES, 4 * this.snapshotSize)) {
      this.compact();
      if (durable) return;
    } else this.append(line);
    if (durable) this.sync();
    else this.syncTimer ??= setTimeout(() => this.sync(), SYNC_MS).unref();
  }

  private append(line: string): void {
    const buf = Buffer.from(line);
    writeSync(this.fd!, buf); // one write(): another reader never sees half of a line but the last
    this.size += buf.length;
    this.stats.bytes += buf.length;
    this.stats.writes++;
  }

  private sync(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    this.stats.syncs++;
  }

  /** Replace the file with one snapshot line (atomically), and append to the new file from now on. */
  compact(): void {
    this.journal.updatedAt = new Date().toISOString();
    const text = `${JSON.stringify({ snapshot: this.journal })}\n`;
    const p = journalPath(this.dir);
    writeFileAtomic(p, text, 0o600);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = openSync(p, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
    this.size = fstatSync(this.fd).size;
    this.snapshotSize = this.size;
    this.stats.bytes += this.size;
    this.stats.compactions++;
    const legacy = legacyPath(this.dir);
    if (present(legacy)) unlinkSync(legacy); // its content is in the snapshot now
  }

  close(): void {
    this.sync();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** "31/58 steps done; worker02 failed at join-worker" */
export function journalProgress(j: Journal, totalSteps?: number): string {
  const recs = Object.entries(j.steps);
  const done = recs.filter(([, r]) => r.state === 'done' || r.state === 'skipped').length;
  const failed = recs.filter(([, r]) => r.state === 'failed').map(([k]) => k.split('|'));
  const running = recs.filter(([, r]) => r.state === 'running').map(([k]) => k.split('|'));
  const parts = [`${done}/${totalSteps ?? recs.length} steps done`];
  if (failed.length) parts.push(failed.map(([n, s]) => `${n} failed at ${s}`).join(', '));
  else if (running.length)
    parts.push(`interrupted during ${running.map(([n, s]) => `${s} on ${n}`).join(', ')}`);
  return parts.join('; ');
}
