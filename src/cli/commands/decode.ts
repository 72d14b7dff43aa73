import { readFile } from 'node:fs/promises';
import type { DecodeResult } from '../../codecs/index.ts';
import { loadConfigFile } from '../../endpoints.ts';
import { boundHeapGrowth } from '../../engine/index.ts';
import { entityKeyFor, formatError, validateDocument, type CausewayError } from '../../model/index.ts';
import { filePieces } from '../../store/index.ts';
import { err, out, parse, watchStdout } from '../args.ts';
import { cliCodec, codecOptions } from '../codec-setup.ts';

/**
 * Decodes a file the way the inbox would and prints canonical documents as JSON lines on stdout;
 * positioned errors go to stderr and make the exit status 1. A codec that reads in parts (x12)
 * streams the file, so any size goes through in bounded memory; others read it whole. With
 * `--config` and `--endpoint` the file is read as that endpoint reads it: its codec, tenant and
 * codecOptions (a flat layout, an EDIFACT or X12 partner) with its tenant's partner profiles.
 */
export async function run(argv: string[]): Promise<number> {
  // A file of any size streams through in parts: the heap must follow what a part holds, as the hub's does.
  boundHeapGrowth();
  const { values, positionals } = parse(argv, { ...codecOptions, warnings: { type: 'boolean', default: false } });
  const file = positionals[0];
  if (!file) {
    err('usage: causeway decode [--codec json|x12|edifact|csv|fixed-width] [--partner NAME] [-c causeway.yaml [--endpoint NAME]] [--warnings] FILE');
    return 2;
  }
  const setup = cliCodec(values, values.config ? loadConfigFile(String(values.config)) : undefined);
  if (typeof setup === 'string') {
    err(setup);
    return 2;
  }
  const { codec, tenant } = setup;
  const now = new Date().toISOString();
  const options: Record<string, unknown> = { ...setup.options };
  const ctx = { tenant, endpoint: setup.endpoint, options, ...(setup.settings !== undefined ? { settings: setup.settings } : {}) };
  // `causeway decode FILE | head` stops reading: the rest is not printed, and that is no crash.
  const closed = watchStdout();
  let failed = false;
  let index = 0;
  /**
   * Prints a part's documents as they are read, then its warnings and errors, so a file of any size goes
   * through in bounded memory. A rejected group or interchange comes with no documents, only its error.
   */
  const print = (decoded: DecodeResult, many: boolean) => {
    const errors: CausewayError[] = [...decoded.errors];
    for (const raw of decoded.documents) {
      const i = index++;
      const doc: Record<string, unknown> = { ...raw, tenant, id: `${file}#${i}`, source: { endpoint: setup.endpoint, partnerRef: file }, receivedAt: now };
      doc.occurredAt ??= now;
      doc.entityKey ??= entityKeyFor(doc);
      const v = validateDocument(doc);
      if (v.ok) {
        if (!closed()) out(JSON.stringify(v.document));
      } else for (const e of v.errors) errors.push({ ...e, path: many ? `$[${i}]${e.path?.slice(1) ?? ''}` : e.path });
    }
    // Warnings are what goes through but is worth a look; they never change the exit status.
    if (values.warnings) for (const w of decoded.warnings ?? []) err(`warning [${w.code}] ${formatError(w)}`);
    for (const e of errors) err(`[${e.code}] ${formatError(e)}${e.position ? ' ' + JSON.stringify(e.position) : ''}`);
    failed ||= errors.length > 0;
  };
  if (codec.decodeParts) {
    for await (const part of codec.decodeParts(filePieces(file), ctx)) print(part, true);
  } else {
    const decoded = await codec.decode(await readFile(file), ctx);
    print(decoded, decoded.documents.length > 1);
  }
  return failed ? 1 : 0;
}
