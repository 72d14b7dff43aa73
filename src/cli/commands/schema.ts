import { DOCUMENT_TYPES, documentJsonSchema, isDocumentType } from '../../model/index.ts';
import { err, out, parse } from '../args.ts';

export async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parse(argv, { list: { type: 'boolean' } });
  const type = positionals[0];
  if (values.list || !type) {
    out(DOCUMENT_TYPES.join('\n'));
    return type || values.list ? 0 : 2;
  }
  if (!isDocumentType(type)) {
    err(`unknown document type "${type}"; one of: ${DOCUMENT_TYPES.join(', ')}`);
    return 2;
  }
  out(JSON.stringify(documentJsonSchema(type), null, 2));
  return 0;
}
