// Validate a draft with the answers file's own zod schema; the problems name the fields they are about.
import { z } from 'zod';
import { answersSchema } from '../answers/schema.js';
import type { Catalog } from '../catalog/schema.js';
import { zodProblems } from '../input/zod-problems.js';
import { compact, type Draft, type DraftCheck } from './draft.js';

export function checkDraft(d: Draft, catalog: Catalog): DraftCheck {
  const r = answersSchema(catalog).safeParse(compact(d));
  if (r.success) return { answers: r.data, problems: [] };
  return { problems: zodProblems(r.error as z.ZodError) };
}
