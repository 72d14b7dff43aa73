import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TrytonRpc } from '../../../src/connectors/tryton/rpc.ts';
import { startTryton, trytonUnavailable, type TrytonServer } from '../../support/tryton.ts';

const skip = await trytonUnavailable();

describe('Tryton test server', { skip }, () => {
  let tryton: TrytonServer;
  before(async () => {
    tryton = await startTryton();
  });
  after(() => tryton?.stop());

  test('each fresh database starts from the same master data', async () => {
    const first = new TrytonRpc(tryton);
    const second = new TrytonRpc(await tryton.freshDatabase());
    await first.write('party.party', (await first.search('party.party', [['code', '=', 'C-ACME']])), { name: 'Renamed' });
    const [renamed] = await first.searchRead<{ name: string }>('party.party', [['code', '=', 'C-ACME']], ['name']);
    const [untouched] = await second.searchRead<{ name: string }>('party.party', [['code', '=', 'C-ACME']], ['name']);
    assert.equal(renamed?.name, 'Renamed');
    assert.equal(untouched?.name, 'Acme Retail');
  });
});
