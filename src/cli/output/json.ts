// --output json: one engine event per line.
import type { EngineEvent } from '../../steps/engine/events.js';

export function jsonRenderer(write: (line: string) => void): (e: EngineEvent) => void {
  return (e) => write(JSON.stringify({ time: new Date().toISOString(), ...e }));
}
