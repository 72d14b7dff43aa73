/**
 * The public sample files (X12, EDIFACT) kept beside the repository, not in it: the folder
 * `shared/samples` next to the repository's own folder. A clone without them still passes; the
 * tests that read them are skipped with the folder they looked in.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SAMPLES_DIR = fileURLToPath(new URL('../../../shared/samples/', import.meta.url));

/** The folder of one kind of sample, and why its tests are skipped when it is absent. */
export function sampleFolder(kind: 'x12' | 'edifact'): { dir: string; missing: string | undefined } {
  const dir = join(SAMPLES_DIR, kind);
  return { dir, missing: existsSync(dir) ? undefined : `sample folder ${dir} not found: the public ${kind.toUpperCase()} samples were not checked` };
}
