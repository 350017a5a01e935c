// The one place an Engine is built: the CLI (apply, resume, plan, day-2 commands) and the wizard's
// session both come here, so transports, credentials, secrets to redact and dry runs are set up the
// same way everywhere.
import type { Host } from '../../answers/schema.js';
import type { ProvidedSecrets } from '../transport/credentials.js';
import { DryRunTransport, type RecordedAction } from '../transport/dry-run.js';
import type { TransportKind } from '../transport/setup.js';
import type { Transport } from '../transport/types.js';
import { Engine, type EngineOptions } from './engine.js';

export interface CreateEngineOptions extends Omit<EngineOptions, 'transport' | 'extraSecrets' | 'persist'> {
  /** SSH (default) or this machine; tests pass their own factory. */
  transport?: TransportKind | ((h: Host) => Transport);
  /** Passwords typed into the wizard (never stored). */
  provided?: ProvidedSecrets;
  strictHostKeys?: boolean;
  onNotice?: (message: string) => void;
  /**
   * A dry run: changes are recorded, not run, and nothing is persisted. Reads go to the hosts, or
   * with `offline` to canned answers (the facts a plan assumes).
   */
  record?: { offline?: (h: Host) => (command: string) => string | undefined };
  /** A read-only run that writes nothing locally either (the wizard's preflight). */
  persist?: boolean;
}

export interface CreatedEngine {
  engine: Engine;
  /** What a dry run recorded, in order, per host (empty for a real run). */
  recorded(): RecordedAction[];
}

export async function createEngine(o: CreateEngineOptions): Promise<CreatedEngine> {
  const { transport, provided, strictHostKeys, onNotice, record, ...engineOptions } = o;
  let base: ((h: Host) => Transport) | undefined;
  let secrets: string[] = Object.values(provided ?? {}).filter((x): x is string => !!x);
  if (typeof transport === 'function') base = transport;
  else if (!record?.offline) {
    // Loaded on first use: the wizard's first screen does not wait for ssh2.
    const { transportSetup } = await import('../transport/setup.js');
    const setup = transportSetup(
      transport ?? 'ssh',
      o.answers,
      o.stateRoot,
      onNotice ?? (() => undefined),
      provided,
      {
        strictHostKeys: !!strictHostKeys,
        // A host being removed is not in the answers any more, but it is still logged into.
        hosts: [...o.answers.hosts, ...(o.departing ?? [])],
      },
    );
    base = setup.factory;
    secrets = setup.secrets;
  }
  const recorders: DryRunTransport[] = [];
  const factory = record
    ? (h: Host) => {
        const t = new DryRunTransport(h.name, record.offline ? undefined : base!(h), record.offline?.(h));
        recorders.push(t);
        return t;
      }
    : base!;
  const engine = new Engine({
    ...engineOptions,
    transport: factory,
    extraSecrets: secrets,
    persist: record ? false : (o.persist ?? true),
    ...(record ? { history: !record.offline } : {}),
  });
  return { engine, recorded: () => recorders.flatMap((t) => t.actions) };
}
