// The run's persistent state: journal, secrets (0600) and logs, in the cluster's state directory.
// Opening it decides between a fresh run, a resume, and a refusal because the answers changed.
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Answers } from '../../answers/schema.js';
import { InputError } from '../../errors.js';
import type { Secrets } from '../../render/types.js';
import { generateSecrets, secretValues } from '../../secrets/generate.js';
import { answersHash, diffAnswers } from '../../state/answers-diff.js';
import {
  JournalWriter,
  journalProgress,
  readJournal,
  stepKey,
  type Journal,
  type JournalMarks,
  type StepRecord,
} from '../../state/journal.js';
import { writeFileAtomic } from '../../state/atomic-write.js';
import { ensurePrivateDir, ensurePrivateTree } from '../../state/private-dir.js';
import { acquireRunLock, type LockOwner, type RunLock } from '../../state/run-lock.js';
import { clusterStateDir } from '../../state/paths.js';
import type { Redactor } from '../../state/redact.js';
import { readSecrets, writeSecrets } from '../../state/secrets-store.js';

export interface OpenOptions {
  answers: Answers;
  stateRoot: string;
  restart: boolean;
  /** False for a plan or an inspection: nothing is written, no lock is taken. */
  persist: boolean;
  /** Whether an earlier run's journal counts (its marks, an unfinished run to resume). */
  history?: boolean;
  /** The operation this run is (install, add, remove …). */
  operation: string;
  redactor: Redactor;
  /** What the lock file names as its owner's command (apply, resume …). */
  command?: string;
  breakLock?: boolean;
  confirmBreakLock?: (owner: LockOwner) => Promise<boolean>;
  onNotice?: (message: string) => void;
}

export class RunState {
  private constructor(
    readonly dir: string,
    private readonly writer: JournalWriter | undefined,
    readonly journal: Journal,
    private secretsValue: Secrets,
    readonly resumed: boolean,
    private readonly redactor: Redactor,
    private readonly lock: RunLock | undefined,
  ) {
    redactor.add(...secretValues(secretsValue));
  }

  static async open(o: OpenOptions): Promise<RunState> {
    const dir = clusterStateDir(o.answers.cluster.name, o.stateRoot);
    const persist = o.persist;
    if (persist) ensurePrivateTree(o.stateRoot, dir);
    // The lock comes before the journal is read: a second run must not adopt the first one's run.
    const lock = persist
      ? await acquireRunLock(dir, o.answers.cluster.name, {
          command: o.command ?? 'apply',
          ...(o.breakLock ? { breakLock: true } : {}),
          ...(o.confirmBreakLock ? { confirmBreak: o.confirmBreakLock } : {}),
          ...(o.onNotice ? { onNotice: o.onNotice } : {}),
        })
      : undefined;
    try {
      return await RunState.openLocked(o, dir, lock);
    } catch (e) {
      lock?.release();
      throw e;
    }
  }

  private static async openLocked(o: OpenOptions, dir: string, lock: RunLock | undefined): Promise<RunState> {
    const hash = answersHash(o.answers);
    const previous = o.restart || o.history === false ? undefined : readJournal(dir);
    const unfinished = previous && previous.status !== 'completed' && previous.status !== 'refused';
    const previousOperation = previous?.operation ?? 'install';
    if (unfinished && previousOperation !== o.operation && o.persist) {
      throw new InputError(
        `cluster ${o.answers.cluster.name}`,
        [
          {
            path: 'journal',
            message: `run ${previous.runId} (${previousOperation}) did not finish (${journalProgress(previous)})`,
          },
        ],
        `finish it first with \`k8sha-wizard resume\`, or start ${o.operation} anyway with --restart (the unfinished ${previousOperation} is then abandoned; its nodes are re-checked by later runs)`,
      );
    }
    if (unfinished && previous.answersHash !== hash && o.persist) {
      const changes = diffAnswers(previous.answers, o.answers);
      throw new InputError(
        `the answers for cluster ${o.answers.cluster.name}`,
        changes.slice(0, 20).map((c) => ({
          path: c.split(':')[0]!,
          message: `changed since run ${previous.runId} began (${c.slice(c.indexOf(':') + 2)})`,
        })),
        `the unfinished run cannot continue with different answers. Restore them, or start over with --restart (nodes already changed are re-checked; kubeadm init never runs twice on a working cluster)`,
      );
    }
    let secrets = readSecrets(dir) ?? (await generateSecrets());
    const marks = o.restart ? {} : (previous?.marks ?? {});
    if (marks.initCompletedAt && secrets.caKeyPem) {
      // Installed by an earlier version, which kept the CA key here: it belongs on the control planes only.
      const { caKeyPem: _dropped, ...rest } = secrets;
      secrets = rest;
      o.onNotice?.('the cluster CA private key was removed from this machine: the control planes hold it');
    }
    const now = new Date().toISOString();
    const runId = unfinished
      ? previous.runId
      : `${now.replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
    const journal: Journal = unfinished
      ? { ...previous, status: 'running', resumes: previous.resumes + 1 }
      : {
          version: 1,
          runId,
          cluster: o.answers.cluster.name,
          operation: o.operation,
          answersHash: hash,
          answers: o.answers,
          status: 'running',
          startedAt: now,
          updatedAt: now,
          resumes: 0,
          steps: {},
          // A finished cluster stays initialized: keep what we know about it for the next run.
          marks,
          logDir: join(dir, 'logs', runId),
        };
    if (o.persist) writeSecrets(dir, secrets);
    const writer = !o.persist ? undefined : new JournalWriter(dir, journal);
    return new RunState(dir, writer, journal, secrets, !!unfinished, o.redactor, lock);
  }

  get secrets(): Secrets {
    return this.secretsValue;
  }

  updateSecrets(patch: Partial<Secrets>): void {
    this.secretsValue = { ...this.secretsValue, ...patch };
    this.redactor.add(...secretValues(this.secretsValue));
    if (this.writer) writeSecrets(this.dir, this.secretsValue);
  }

  get marks(): JournalMarks {
    return this.journal.marks;
  }

  setMark(name: keyof JournalMarks, at = new Date()): void {
    if (this.writer) this.writer.mark(name, at.toISOString());
    else this.journal.marks[name] = at.toISOString();
  }

  /** Operation facts that must survive a crash (the node being removed, an upgrade's target). */
  get context(): Record<string, unknown> {
    return this.journal.context ?? {};
  }

  setContext(key: string, value: unknown): void {
    if (this.writer) this.writer.context(key, value);
    else (this.journal.context ??= {})[key] = value;
  }

  /** A file on the operator machine (the admin kubeconfig): 0600 in a private directory. */
  writeLocal(path: string, data: Buffer, mode = 0o600): void {
    ensurePrivateDir(dirname(path));
    writeFileAtomic(path, data, mode);
  }

  clearMarks(): void {
    for (const k of Object.keys(this.journal.marks) as (keyof JournalMarks)[]) {
      if (this.writer) this.writer.mark(k, '');
      else delete this.journal.marks[k];
    }
  }

  record(node: string, step: string): StepRecord | undefined {
    return this.journal.steps[stepKey(node, step)];
  }

  setStep(node: string, step: string, patch: Partial<StepRecord>): void {
    const key = stepKey(node, step);
    const next: StepRecord = { state: 'running', attempts: 0, ...this.journal.steps[key], ...patch };
    if (this.writer) this.writer.step(node, step, next);
    else this.journal.steps[key] = next;
  }

  finish(status: Journal['status']): void {
    if (this.writer) {
      this.writer.status(status);
      this.writer.close();
    } else {
      this.journal.status = status;
      this.journal.finishedAt = new Date().toISOString();
    }
    this.lock?.release();
  }
}
