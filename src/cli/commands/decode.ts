import { readFile } from 'node:fs/promises';
import { builtIns } from '../../endpoints.ts';
import { entityKeyFor, formatError, validateDocument, type CausewayError } from '../../model/index.ts';
import { err, out, parse, watchStdout } from '../args.ts';

/**
 * Decodes a file the way the inbox would and prints canonical documents as JSON lines on stdout;
 * positioned errors go to stderr and make the exit status 1.
 */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    codec: { type: 'string', default: 'json' }, tenant: { type: 'string', default: 'default' }, partner: { type: 'string' }, warnings: { type: 'boolean', default: false },
  });
  const file = positionals[0];
  if (!file) {
    err('usage: causeway decode --codec json|x12 [--partner NAME] [--warnings] FILE');
    return 2;
  }
  const codec = builtIns.codecs.get(String(values.codec));
  if (!codec) {
    err(`unknown codec "${values.codec}"; one of: ${[...builtIns.codecs.keys()].join(', ')}`);
    return 2;
  }
  const body = await readFile(file);
  const now = new Date().toISOString();
  const warnings: CausewayError[] = [];
  const options: Record<string, unknown> = values.partner ? { partner: values.partner } : {};
  // Warnings are what goes through but is worth a look; they never change the exit status.
  if (values.warnings) options.onWarning = (w: CausewayError) => warnings.push(w);
  const decoded = await codec.decode(body, { tenant: String(values.tenant), endpoint: 'cli', options });
  const errors: CausewayError[] = [...decoded.errors];
  // `causeway decode FILE | head` stops reading: the rest is not printed, and that is no crash.
  const closed = watchStdout();
  const many = decoded.documents.length > 1;
  decoded.documents.forEach((raw, i) => {
    const doc: Record<string, unknown> = { ...raw, tenant: String(values.tenant), id: `${file}#${i}`, source: { endpoint: 'cli', partnerRef: file }, receivedAt: now };
    doc.occurredAt ??= now;
    doc.entityKey ??= entityKeyFor(doc);
    const v = validateDocument(doc);
    if (v.ok) {
      if (!closed()) out(JSON.stringify(v.document));
    } else for (const e of v.errors) errors.push({ ...e, path: many ? `$[${i}]${e.path?.slice(1) ?? ''}` : e.path });
  });
  for (const w of warnings) err(`warning [${w.code}] ${formatError(w)}`);
  for (const e of errors) err(`[${e.code}] ${formatError(e)}${e.position ? ' ' + JSON.stringify(e.position) : ''}`);
  return errors.length ? 1 : 0;
}
