// docs/rules.md explains every rule code an operator can meet and every setting of the policy.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { DEFAULT_RULES_POLICY, RULES } from '../../../src/engine/rules/index.ts';

const doc = readFileSync(new URL('../../../docs/rules.md', import.meta.url), 'utf8');

it('docs/rules.md names every rule code', () => {
  const missing = Object.keys(RULES).filter((code) => !doc.includes(`\`${code}\``));
  assert.deepEqual(missing, [], `docs/rules.md does not explain ${missing.join(', ')}`);
});

it('docs/rules.md shows every setting of the rules policy', () => {
  const settings = Object.entries(DEFAULT_RULES_POLICY).flatMap(([key, value]) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? [key, ...Object.keys(value).map((k) => k)] : [key]);
  const missing = settings.filter((s) => !doc.includes(s));
  assert.deepEqual(missing, [], `docs/rules.md does not mention ${missing.join(', ')}`);
});
