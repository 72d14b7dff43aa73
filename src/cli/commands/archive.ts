import { readArchive } from '../../engine/retention/archive.ts';
import { err, out, parse, watchStdout } from '../args.ts';

const USAGE = `usage: causeway archive read FILE [--message ID] [--raw]

Prints a retention archive file (<tenant>/<day>.jsonl.gz) as JSON lines, each record once.
--message keeps one message's records. --raw writes that message's raw bytes, as received, to
standard output instead (with --message).`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { message: { type: 'string' }, raw: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  const [verb, file] = positionals;
  if (values.help || verb !== 'read' || !file) {
    err(USAGE);
    return values.help ? 0 : 2;
  }
  const only = values.message === undefined ? undefined : Number(values.message);
  if (only !== undefined && !Number.isInteger(only)) throw new Error('--message takes a message id');
  if (values.raw && only === undefined) throw new Error('--raw needs --message');
  const closed = watchStdout();
  // A pruner stopped between writing a batch and removing its rows archives it again next time: the same record twice.
  const seen = new Set<string>();
  let found = false;
  for await (const r of readArchive(file)) {
    if (closed()) break;
    if (only !== undefined && r.messageId !== only) continue;
    const key = `${r.kind}:${r.tenant}:${r.messageId}:${r.kind === 'raw-part' ? r.seq : ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    found = true;
    if (values.raw) {
      if (r.kind === 'raw-part') process.stdout.write(Buffer.from(r.base64, 'base64'));
    } else out(JSON.stringify(r));
  }
  if (only !== undefined && !found) {
    err(`causeway archive: no record of message ${only} in ${file}`);
    return 1;
  }
  return 0;
}
