// What every answers screen gets: the draft, the catalog, and where to go next or back.
import type { Catalog } from '../catalog/schema.js';
import type { Draft } from '../wizard/draft.js';

export interface ScreenProps {
  draft: Draft;
  catalog: Catalog;
  /** "2/9": where this screen sits in the flow. */
  step: string;
  onSubmit: (d: Draft) => void;
  onBack: () => void;
  /** The hosts of the installed cluster, when there is one: the Hosts screen marks what changes. */
  clusterHosts?: string[];
}
