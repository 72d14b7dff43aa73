import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partnersOfTenant } from '../../src/config/index.ts';
import { parseConfig } from '../../src/endpoints.ts';
import type { CausewayFault } from '../../src/model/index.ts';

const profile = (id: string, extra = '') => `{ ours: { id: CAUSEWAY }, theirs: { id: ${id} }${extra} }`;

function configWith(partners: string, endpoints: string) {
  return parseConfig(`
defaultTenant: acme
partners:
${partners}
endpoints:
${endpoints}
`, '/tmp');
}

function faultsOf(run: () => unknown): Array<{ path?: string; message: string }> {
  try {
    run();
  } catch (e) {
    return (e as CausewayFault).errors;
  }
  assert.fail('the config was accepted');
}

describe('a partner profile belongs to one tenant', () => {
  it('takes the tenant of the endpoints that use it, else the default tenant', () => {
    const { config } = configWith(`
  globex-3pl: ${profile('GLOBEX3PL', ', acknowledgments: { endpoint: globex-out }')}
  acme-3pl: ${profile('ACME3PL', ', acknowledgments: { send: false }')}
  spare: ${profile('SPARE')}`, `
  globex-out: { type: folder, tenant: globex, outbox: ./g, codec: x12, codecOptions: { partner: globex-3pl } }
  acme-out: { type: folder, outbox: ./a, codec: x12, codecOptions: { partner: acme-3pl } }`);
    assert.equal(config.partners['globex-3pl']!.tenant, 'globex');
    assert.equal(config.partners['acme-3pl']!.tenant, 'acme');
    assert.equal(config.partners.spare!.tenant, 'acme');
    assert.deepEqual(Object.keys(partnersOfTenant(config, 'globex')), ['globex-3pl']);
    assert.deepEqual(Object.keys(partnersOfTenant(config, 'acme')).sort(), ['acme-3pl', 'spare']);
    assert.equal(partnersOfTenant(config, 'acme'), partnersOfTenant(config, 'acme'), 'the same object each time (profiles are parsed once per object)');
  });

  it('refuses a profile used by endpoints of two tenants', () => {
    const faults = faultsOf(() => configWith(`
  shared-3pl: ${profile('SHARED', ', acknowledgments: { send: false }')}`, `
  acme-out: { type: folder, outbox: ./a, codec: x12, codecOptions: { partner: shared-3pl } }
  globex-out: { type: folder, tenant: globex, outbox: ./g, codec: x12, codecOptions: { partner: shared-3pl } }`));
    assert.equal(faults.length, 1);
    assert.equal(faults[0]!.path, '$.partners.shared-3pl');
    assert.match(faults[0]!.message, /used by endpoints of several tenants: acme-out \(acme\), globex-out \(globex\)/);
  });

  it('refuses an acknowledgment endpoint of another tenant than the profile', () => {
    const faults = faultsOf(() => configWith(`
  acme-3pl: ${profile('ACME3PL', ', tenant: acme, acknowledgments: { endpoint: globex-out }')}`, `
  acme-in: { type: folder, inbox: ./a, codec: x12, codecOptions: { partner: acme-3pl } }
  globex-out: { type: folder, tenant: globex, outbox: ./g, codec: x12 }`));
    assert.deepEqual(faults.map((f) => f.path), ['$.partners.acme-3pl.acknowledgments.endpoint']);
    assert.match(faults[0]!.message, /endpoint "globex-out" belongs to tenant "globex", but partner profile acme-3pl belongs to tenant "acme"/);
  });
});
