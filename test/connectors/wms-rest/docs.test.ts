import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { endpointReference } from '../../../scripts/endpoint-docs.ts';
import { parseConfig } from '../../../src/endpoints.ts';

const doc = readFileSync(new URL('../../../docs/connectors/wms-rest.md', import.meta.url), 'utf8');

describe('docs/connectors/wms-rest.md', () => {
  it('carries the wms-rest endpoint settings exactly as the spec generates them', () => {
    const reference = endpointReference();
    const start = reference.indexOf('## `wms-rest`');
    assert.ok(start >= 0, 'the wms-rest endpoint is registered and in the generated reference');
    const next = reference.indexOf('\n## ', start + 1);
    const generated = reference.slice(start, next === -1 ? undefined : next).trimEnd();
    const quoted = /<!-- wms-rest-endpoint-reference:start -->\n([\s\S]*?)\n<!-- wms-rest-endpoint-reference:end -->/.exec(doc)?.[1];
    assert.equal(quoted, generated, 'paste the wms-rest section of `node --import tsx scripts/endpoint-docs.ts` between the markers');
  });

  it('has examples that `causeway validate` takes, the profile written in the config included', () => {
    const examples = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
    assert.equal(examples.length, 3);
    const env = Object.fromEntries([...doc.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => [m[1], `${m[1].toLowerCase()}-from-env-0123456789`]));
    for (const yaml of examples) {
      const loaded = parseConfig(yaml, '/tmp', env);
      assert.ok(Object.values(loaded.config.endpoints).some((e) => e.type === 'wms-rest'));
    }
  });
});
