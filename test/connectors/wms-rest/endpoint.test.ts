import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtIns, parseConfig } from '../../../src/endpoints.ts';
import { CausewayFault } from '../../../src/model/index.ts';
import { declaredTypes, isSource, isTarget } from '../../../src/transports/index.ts';
import type { WmsRestSettings } from '../../../src/connectors/wms-rest/index.ts';

const spec = builtIns.endpoints.get('wms-rest')!;

function yaml(endpoint: string, flows = ''): string {
  return `
defaultTenant: acme
endpoints:
  wms:
${endpoint.split('\n').map((l) => `    ${l}`).join('\n')}
  erp: { type: webhook, url: "https://erp.example.com/hooks" }
${flows}`;
}

const shipbob = `type: wms-rest
url: https://api.shipbob.com
profile: shipbob
auth: { kind: bearer, token: "\${SHIPBOB_PAT}" }
vars: { channelId: "4242" }
facilities: { ONT: "228" }`;

function faultOf(text: string, env: Record<string, string> = { SHIPBOB_PAT: 'pat' }): CausewayFault {
  try {
    parseConfig(text, '/tmp', env);
  } catch (error) {
    if (error instanceof CausewayFault) return error;
    throw error;
  }
  assert.fail('the config was taken');
}

describe('wms-rest endpoint spec', () => {
  it('is registered; produces what produce lists and accepts what its profile can write; takes canonical documents only', () => {
    const loaded = parseConfig(yaml(`${shipbob}\nproduce: [shipment, inventory_snapshot]`), '/tmp', { SHIPBOB_PAT: 'pat-from-env' });
    const settings = loaded.endpointSettings.wms as WmsRestSettings;
    assert.deepEqual(settings.auth, { kind: 'bearer', token: 'pat-from-env' });
    assert.equal(isSource(spec, settings), true);
    assert.deepEqual(declaredTypes(spec.produces, settings), ['shipment', 'inventory_snapshot']);
    assert.deepEqual(declaredTypes(spec.accepts, settings), ['sales_order', 'order_cancel', 'purchase_order', 'item', 'order_status']);
    assert.equal(isTarget(spec, settings), true);
    assert.equal(spec.canonicalOnly, true);
    assert.equal(isSource(spec, { ...settings, produce: [] }), false, 'without produce it only takes documents');
    const extensiv = parseConfig(yaml(`type: wms-rest
url: https://secure-wms.com
profile: extensiv-3pl-warehouse-manager
auth: { kind: oauth2, clientId: c, clientSecret: s, params: { user_login_id: "17" } }
vars: { customerId: "17" }
facilities: { RNO: "2" }`), '/tmp', {}).endpointSettings.wms as WmsRestSettings;
    assert.deepEqual(declaredTypes(spec.accepts, extensiv), ['sales_order', 'order_cancel', 'purchase_order', 'item'], 'no hold in the Extensiv profile');
  });

  it('names each wrong setting by its path: a variable the profile needs, a type it cannot read, a signing secret, a facility map', () => {
    const fault = faultOf(yaml(`type: wms-rest
url: https://api.shipbob.com
profile: shipbob
auth: { kind: bearer, token: "\${SHIPBOB_PAT}" }
facilities: { ONT: "228" }
produce: [inventory_adjustment]
webhook: {}`));
    const byPath = Object.fromEntries(fault.errors.map((e) => [e.path, e.message]));
    assert.match(byPath['$.endpoints.wms.vars.channelId'], /profile shipbob needs channelId/);
    assert.match(byPath['$.endpoints.wms.produce[0]'], /profile shipbob cannot read inventory_adjustment/);
    assert.match(byPath['$.endpoints.wms.webhook.secret'], /standard-webhooks signatures need the secret/);
    const facilities = faultOf(yaml(shipbob.replace('{ ONT: "228" }', '{ ONT: "228", ABE: "228" }')));
    assert.match(facilities.errors.find((e) => e.path === '$.endpoints.wms.facilities')!.message, /one facility only/);
    const suffix = faultOf(yaml(`${shipbob}\nbackorderSuffix: "{backorder}"`));
    assert.match(suffix.errors.find((e) => e.path === '$.endpoints.wms.backorderSuffix')!.message, /starts with text that tells the backorder from the order number/);
    const auth = faultOf(yaml(shipbob.replace('{ kind: bearer, token: "${SHIPBOB_PAT}" }', '{ kind: token, token: x }')));
    assert.ok(auth.errors.some((e) => e.path?.startsWith('$.endpoints.wms.auth')), JSON.stringify(auth.errors));
  });

  it('checks a profile written in the config, naming an expression that does not compile by where it sits', () => {
    const fault = faultOf(yaml(`type: wms-rest
url: https://wms.example.com
auth: { kind: api-key, key: k }
facilities: { DC1: "1" }
produce: [shipment]
profile:
  name: own-wms
  description: A WMS of our own
  rateLimit: { requestsPerMinute: 60 }
  paging: { kind: page, page: page, size: size, max: 100 }
  reads:
    shipment:
      list: { path: /shipments, query: { since: "{since}" }, items: "items" }
      id: "id"
      modified: "updated_at"
      documents: "{ type: }"`));
    assert.ok(fault.errors.some((e) => e.path === '$.endpoints.wms.profile.reads.shipment.documents' && /JSONata does not compile/.test(e.message)), JSON.stringify(fault.errors));
  });

  it('refuses a flow that sends it what its profile cannot write, or that maps what it applies as canonical', () => {
    const receipts = faultOf(yaml(shipbob, `flows:
  - { name: receipts-to-wms, types: [receipt], to: wms }`));
    assert.match(receipts.errors.find((e) => e.path === '$.flows[0].types[0]')!.message, /takes sales_order, order_cancel, purchase_order, item, order_status only/);
    const mapped = faultOf(yaml(shipbob, `flows:
  - { name: orders-to-wms, types: [sales_order], to: wms, mapping: reshape }
mappings:
  reshape: { fields: { order: orderNumber } }`));
    assert.ok(mapped.errors.some((e) => /canonical documents only/.test(e.message)), JSON.stringify(mapped.errors));
  });
});
