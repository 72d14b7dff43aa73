import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { endpointReference } from '../../../scripts/endpoint-docs.ts';

it('docs/connectors/tryton.md carries the tryton endpoint settings exactly as the spec generates them', () => {
  const reference = endpointReference();
  const start = reference.indexOf('## `tryton`');
  assert.ok(start >= 0, 'the tryton endpoint is registered and in the generated reference');
  const next = reference.indexOf('\n## ', start + 1);
  const generated = reference.slice(start, next === -1 ? undefined : next).trimEnd();
  const doc = readFileSync(new URL('../../../docs/connectors/tryton.md', import.meta.url), 'utf8');
  const quoted = /<!-- tryton-endpoint-reference:start -->\n([\s\S]*?)\n<!-- tryton-endpoint-reference:end -->/.exec(doc)?.[1];
  assert.equal(quoted, generated, 'paste the tryton section of `node --import tsx scripts/endpoint-docs.ts` between the markers');
});

it('docs/connectors/tryton.md carries the tryton-wms endpoint settings exactly as the spec generates them', () => {
  const reference = endpointReference();
  const start = reference.indexOf('## `tryton-wms`');
  assert.ok(start >= 0, 'the tryton-wms endpoint is registered and in the generated reference');
  const next = reference.indexOf('\n## ', start + 1);
  const generated = reference.slice(start, next === -1 ? undefined : next).trimEnd();
  const doc = readFileSync(new URL('../../../docs/connectors/tryton.md', import.meta.url), 'utf8');
  const quoted = /<!-- tryton-wms-endpoint-reference:start -->\n([\s\S]*?)\n<!-- tryton-wms-endpoint-reference:end -->/.exec(doc)?.[1];
  assert.equal(quoted, generated, 'paste the tryton-wms section of `node --import tsx scripts/endpoint-docs.ts` between the markers');
});
