// Load the wizard's parts (wizard-parts.ts) once, after the first frame, and re-render what waits for
// them. Keys wait too: run-wizard holds the terminal's input until the parts are here.
import { useEffect, useState } from 'react';

export type WizardParts = typeof import('./wizard-parts.js');

let loaded: WizardParts | undefined;
let loading: Promise<WizardParts> | undefined;

/** Start loading the parts (once); resolves with them. */
export function loadWizardParts(): Promise<WizardParts> {
  loading ??= import('./wizard-parts.js').then((m) => (loaded = m));
  return loading;
}

/** The parts if they have loaded; otherwise undefined, and the component renders again when they do. */
export function useWizardParts(): WizardParts | undefined {
  const [parts, setParts] = useState(loaded);
  useEffect(() => {
    if (!parts) void loadWizardParts().then(setParts);
  }, [parts]);
  return parts;
}
