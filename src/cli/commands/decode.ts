import { readFile } from 'node:fs/promises';
import { builtIns } from '../../endpoints.ts';
import { entityKeyFor, formatError, validateDocument, type CausewayError } from '../../model/index.ts';
import { err, out, parse } from '../args.ts';

/**
 * Decodes a file the way the inbox would and prints canonical documents as JSON lines on stdout;
 * positioned errors go to stderr and make the exit status 1.
 */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    codec: { type: 'string', default: 'json' }, tenant: { type: 'string', default: 'default' }, partner: { type: 'string' },
  });
  const file = positionals[0];
  if (!file) {
    err('usage: causeway decode --codec json|x12 FILE');
    return 2;
  }
  const codec = builtIns.codecs.get(String(values.codec));
  if (!codec) {
    err(`unknown codec "${values.codec}"; one of: ${[...builtIns.codecs.keys()].join(', ')}`);
    return 2;
  }
  const body = await readFile(file);
  const now = new Date().toISOString();
  const decoded = await codec.decode(body, { tenant: String(values.tenant), endpoint: 'cli', options: values.partner ? { partner: values.partner } : {} });
  const errors: CausewayError[] = [...decoded.errors];
  const many = decoded.documents.length > 1;
  decoded.documents.forEach((raw, i) => {
    const doc: Record<string, unknown> = { ...raw, tenant: String(values.tenant), id: `${file}#${i}`, source: { endpoint: 'cli', partnerRef: file }, receivedAt: now };
    doc.occurredAt ??= now;
    doc.entityKey ??= entityKeyFor(doc);
    const v = validateDocument(doc);
    if (v.ok) out(JSON.stringify(v.document));
    else for (const e of v.errors) errors.push({ ...e, path: many ? `$[${i}]${e.path?.slice(1) ?? ''}` : e.path });
  });
  for (const e of errors) err(`[${e.code}] ${formatError(e)}${e.position ? ' ' + JSON.stringify(e.position) : ''}`);
  return errors.length ? 1 : 0;
}
