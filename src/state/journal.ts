// The install journal: the state of every (node, step), written atomically after each transition,
// so a crash, Ctrl-C or failure can be resumed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Answers } from '../answers/schema.js';
import { writeFileAtomic } from './atomic-write.js';

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
  answersHash: string;
  answers: Answers;
  status: 'running' | 'failed' | 'aborted' | 'completed';
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** How many times this run was resumed. */
  resumes: number;
  steps: Record<string, StepRecord>;
  marks: JournalMarks;
  logDir: string;
}

export function stepKey(node: string, step: string): string {
  return `${node}|${step}`;
}

export function journalPath(clusterDir: string): string {
  return join(clusterDir, 'journal.json');
}

export function readJournal(clusterDir: string): Journal | undefined {
  const p = journalPath(clusterDir);
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, 'utf8')) as Journal;
}

export function writeJournal(clusterDir: string, j: Journal): void {
  j.updatedAt = new Date().toISOString();
  writeFileAtomic(journalPath(clusterDir), `${JSON.stringify(j, null, 2)}\n`, 0o600);
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
