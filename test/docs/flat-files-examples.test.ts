// The examples of docs/flat-files.md hold: each layout loads in a config, and each example file
// decodes with the layout beside it to valid canonical documents.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { csvCodec, fixedWidthCodec } from '../../src/codecs/flat/index.ts';
import { parseConfig } from '../../src/endpoints.ts';
import { validateDocument } from '../../src/model/index.ts';

const doc = readFileSync(new URL('../../docs/flat-files.md', import.meta.url), 'utf8');
const examples = [...doc.matchAll(/```\n([^`]*?)```\n\n```yaml\n(codec:[^`]*?)```/g)].map((m) => ({ file: m[1]!, yaml: m[2]! }));

test('every example file of docs/flat-files.md decodes with its layout to valid documents', async () => {
  assert.equal(examples.length, 3, 'an item master, a stock file and an order file');
  for (const { file, yaml } of examples) {
    const { codec, codecOptions } = parse(yaml) as { codec: string; codecOptions: Record<string, unknown> };
    parseConfig(`endpoints:\n  e:\n    type: folder\n    inbox: ./in\n${yaml.replace(/^/gm, '    ')}`, '/tmp');
    const decoded = await (codec === 'csv' ? csvCodec : fixedWidthCodec).decode(Buffer.from(file, codecOptions.encoding === 'windows-1252' ? 'latin1' : 'utf8'), { tenant: 't', endpoint: 'e', options: codecOptions });
    assert.deepEqual(decoded.errors, [], yaml);
    assert.ok(decoded.documents.length >= 2, yaml);
    for (const d of decoded.documents) {
      const now = '2026-12-01T00:00:00Z';
      const r = validateDocument({ ...d, tenant: 't', id: 'x', source: { endpoint: 'e' }, entityKey: 'k', occurredAt: now, receivedAt: now });
      assert.ok(r.ok, `${yaml}\n${JSON.stringify(!r.ok && r.errors)}`);
    }
  }
});

test('the shared layout of docs/flat-files.md loads for both endpoints', () => {
  const block = [...doc.matchAll(/```yaml\n(endpoints:\n  acme-in[\s\S]*?)```/g)][0]?.[1];
  assert.ok(block);
  const loaded = parseConfig(block, '/tmp');
  assert.deepEqual(loaded.config.endpoints['acme-out']!.codecOptions, loaded.config.endpoints['acme-in']!.codecOptions);
});
