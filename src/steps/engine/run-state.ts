// The run's persistent state: journal, secrets (0600) and logs, in the cluster's state directory.
// Opening it decides between a fresh run, a resume, and a refusal because the answers changed.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Answers } from '../../answers/schema.js';
import { InputError } from '../../errors.js';
import type { Secrets } from '../../render/types.js';
import { generateSecrets, secretValues } from '../../secrets/generate.js';
import { answersHash, diffAnswers } from '../../state/answers-diff.js';
import {
  readJournal,
  stepKey,
  writeJournal,
  type Journal,
  type JournalMarks,
  type StepRecord,
} from '../../state/journal.js';
import { clusterStateDir } from '../../state/paths.js';
import type { Redactor } from '../../state/redact.js';
import { readSecrets, writeSecrets } from '../../state/secrets-store.js';

export interface OpenOptions {
  answers: Answers;
  stateRoot: string;
  restart: boolean;
  dryRun: boolean;
  redactor: Redactor;
}

export class RunState {
  private constructor(
    readonly dir: string,
    readonly journal: Journal,
    private secretsValue: Secrets,
    readonly resumed: boolean,
    private readonly persist: boolean,
    private readonly redactor: Redactor,
  ) {
    redactor.add(...secretValues(secretsValue));
  }

  static async open(o: OpenOptions): Promise<RunState> {
    const dir = clusterStateDir(o.answers.cluster.name, o.stateRoot);
    const hash = answersHash(o.answers);
    const previous = o.restart ? undefined : readJournal(dir);
    const unfinished = previous && previous.status !== 'completed';
    if (unfinished && previous.answersHash !== hash && !o.dryRun) {
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
    const secrets = readSecrets(dir) ?? (await generateSecrets());
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
          answersHash: hash,
          answers: o.answers,
          status: 'running',
          startedAt: now,
          updatedAt: now,
          resumes: 0,
          steps: {},
          // A finished cluster stays initialized: keep what we know about it for the next run.
          marks: o.restart ? {} : (previous?.marks ?? {}),
          logDir: join(dir, 'logs', runId),
        };
    const state = new RunState(dir, journal, secrets, !!unfinished, !o.dryRun, o.redactor);
    if (state.persist) {
      writeSecrets(dir, secrets);
      state.save();
    }
    return state;
  }

  get secrets(): Secrets {
    return this.secretsValue;
  }

  updateSecrets(patch: Partial<Secrets>): void {
    this.secretsValue = { ...this.secretsValue, ...patch };
    this.redactor.add(...secretValues(this.secretsValue));
    if (this.persist) writeSecrets(this.dir, this.secretsValue);
  }

  get marks(): JournalMarks {
    return this.journal.marks;
  }

  setMark(name: keyof JournalMarks, at = new Date()): void {
    this.journal.marks[name] = at.toISOString();
    this.save();
  }

  record(node: string, step: string): StepRecord | undefined {
    return this.journal.steps[stepKey(node, step)];
  }

  setStep(node: string, step: string, patch: Partial<StepRecord>): void {
    const key = stepKey(node, step);
    this.journal.steps[key] = { state: 'running', attempts: 0, ...this.journal.steps[key], ...patch };
    this.save();
  }

  finish(status: Journal['status']): void {
    this.journal.status = status;
    this.journal.finishedAt = new Date().toISOString();
    this.save();
  }

  save(): void {
    if (this.persist) writeJournal(this.dir, this.journal);
  }
}
