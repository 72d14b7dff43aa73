import { createReadStream } from 'node:fs';
import { describePosition, readX12Stream, type X12Error } from '../../edi/x12/index.ts';
import { err, out, parse, watchStdout } from '../args.ts';

const USAGE = 'usage: causeway x12 inspect FILE   (interchanges, groups and sets with ids, control numbers, counts and errors)';

/** `causeway x12 inspect FILE`: the envelopes of a file without decoding its sets, streamed so any size works. */
export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'inspect') {
    err(USAGE);
    return 2;
  }
  const { positionals } = parse(rest, {});
  const file = positionals[0];
  if (!file) {
    err(USAGE);
    return 2;
  }
  let errors = 0;
  let warnings = 0;
  const report = (list: readonly X12Error[], indent: string) => {
    for (const e of list) {
      if (e.severity === 'error') errors++;
      else warnings++;
      const where = describePosition(e.position);
      out(`${indent}${e.severity === 'error' ? 'ERROR' : 'warning'} [${e.code}] ${e.message}${where ? ` — ${where}` : ''}`);
    }
  };
  const totals = { interchanges: 0, groups: 0, sets: 0, segments: 0 };
  // Reading stops at the next item once nobody reads the output.
  const closed = watchStdout();
  for await (const item of readX12Stream(createReadStream(file))) {
    if (closed()) break;
    switch (item.kind) {
      case 'interchange-start': {
        const ic = item.interchange;
        totals.interchanges++;
        out(`interchange ISA13=${ic.controlNumber} from ${ic.senderQualifier}/${ic.senderId} to ${ic.receiverQualifier}/${ic.receiverId} version ${ic.version} ${ic.usage === 'T' ? 'TEST' : ic.usage === 'P' ? 'production' : `usage ${ic.usage}`} prepared ${ic.preparedAt ?? '?'}${ic.ackRequested ? ' (TA1 requested)' : ''} at byte ${ic.offset}`);
        out(`  delimiters element ${JSON.stringify(ic.delimiters.element)} component ${JSON.stringify(ic.delimiters.component)} repetition ${JSON.stringify(ic.delimiters.repetition)} segment ${JSON.stringify(ic.delimiters.segment)}`);
        report(item.errors, '  ');
        break;
      }
      case 'group-start':
        totals.groups++;
        out(`  group GS06=${item.group.controlNumber} ${item.group.functionalId} from ${item.group.senderCode} to ${item.group.receiverCode} version ${item.group.version}`);
        report(item.errors, '    ');
        break;
      case 'set': {
        const s = item.set;
        totals.sets++;
        totals.segments += s.segments.length;
        out(`    set ${s.id} ST02=${s.controlNumber}${s.implementationRef ? ` (${s.implementationRef})` : ''}: ${s.segments.length} segments, byte ${s.offset}`);
        report(s.errors, '      ');
        break;
      }
      case 'group-end':
        out(`  end of group ${item.group.controlNumber}: ${item.setCount} set(s)`);
        report(item.errors, '    ');
        break;
      case 'interchange-end':
        out(`end of interchange ${item.interchange.controlNumber}: ${item.groupCount} group(s)`);
        report(item.errors, '  ');
        break;
      case 'ta1':
        out(`  TA1 for interchange ${item.ta1.controlNumber}: ${item.ta1.ackCode} note ${item.ta1.noteCode}`);
        break;
      case 'error':
        report([item.error], '');
        break;
    }
  }
  if (closed()) return 0;
  out(`${totals.interchanges} interchange(s), ${totals.groups} group(s), ${totals.sets} set(s), ${totals.segments} segments in sets; ${errors} error(s), ${warnings} warning(s)`);
  return errors ? 1 : 0;
}
