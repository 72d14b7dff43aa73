import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { parseConfig } from '../../src/endpoints.ts';
import { compileMappings } from '../../src/engine/index.ts';

it('the configuration example in the README is a valid config', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const from = readme.indexOf('```yaml', readme.indexOf('## Configuration'));
  const yaml = readme.slice(from + 7, readme.indexOf('```', from + 7));
  const loaded = parseConfig(yaml, '/tmp', { ERP_API_KEY: 'a-long-enough-api-key-0123456789', ERP_HOOK_SECRET: 'a-webhook-signing-secret-of-32-bytes' });
  assert.deepEqual(Object.keys(loaded.config.endpoints), ['erp-outbox', 'wms', 'erp-hook']);
  assert.equal(compileMappings(loaded.config).size, 1);
});
