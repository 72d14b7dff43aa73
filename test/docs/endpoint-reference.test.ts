import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { endpointReference } from '../../scripts/endpoint-docs.ts';

it('docs/endpoints.md is generated from the current endpoint specs (run `npm run docs`)', () => {
  const committed = readFileSync(new URL('../../docs/endpoints.md', import.meta.url), 'utf8');
  assert.equal(committed, endpointReference());
});
