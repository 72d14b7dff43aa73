// The periodic overdue check of each codec: the store marks X12 groups and EDIFACT interchanges in one
// sweep, so whichever codec's check runs first must word each alert for what it is and lose none.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { overdueInterchanges } from '../../src/codecs/edifact/hooks.ts';
import { overdueGroups } from '../../src/codecs/x12/tracking.ts';
import { SqliteStore, type EdiGroupSent } from '../../src/store/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'causeway-overdue-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function sent(over: Partial<EdiGroupSent>): EdiGroupSent {
  return {
    tenant: 'acme', partner: 'acme-3pl', interchangeControlNumber: '000000007', groupControlNumber: '7', functionalId: 'OW',
    sets: [{ id: '940', controlNumber: '0001' }], deliveryKey: 'k', messageId: 1, endpoint: 'out', sentAt: 1000, deadlineAt: 2000, ...over,
  };
}

async function storeWithBoth(name: string): Promise<SqliteStore> {
  const store = new SqliteStore({ path: join(dir, `${name}.db`) });
  await store.migrate();
  await store.recordEdiGroups([
    sent({ deliveryKey: 'x12' }),
    sent({ deliveryKey: 'edifact', partner: 'eu-3pl', interchangeControlNumber: 'IC42', groupControlNumber: 'IC42', functionalId: 'UNB', sets: [{ id: 'ORDERS', controlNumber: 'M1' }] }),
  ]);
  return store;
}

for (const [codec, check] of [['X12', overdueGroups], ['EDIFACT', overdueInterchanges]] as const) {
  describe(`${codec} overdue check, run first`, () => {
    it('alerts an X12 group as x12_overdue and an EDIFACT interchange as edifact_overdue, each once', async () => {
      const store = await storeWithBoth(codec);
      try {
        const alerts = await check({ store, now: 3000 });
        const byKind = new Map(alerts.map((a) => [a.kind, a]));
        assert.deepEqual(alerts.map((a) => a.kind).sort(), ['edifact_overdue', 'x12_overdue']);
        assert.equal(byKind.get('x12_overdue')!.subject, 'partner acme-3pl group 7');
        assert.equal(byKind.get('edifact_overdue')!.subject, 'partner eu-3pl interchange IC42');
        assert.match(byKind.get('edifact_overdue')!.message, /CONTRL for interchange IC42 \(ORDERS M1\)/);
        assert.doesNotMatch(byKind.get('x12_overdue')!.message, /UNB/);
        // The other codec's check, run next, finds nothing left to mark: no alert twice.
        const other = check === overdueGroups ? overdueInterchanges : overdueGroups;
        assert.deepEqual(await other({ store, now: 3001 }), []);
      } finally {
        await store.close();
      }
    });
  });
}
