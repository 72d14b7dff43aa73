// The public sample files beside the repository (../shared/samples/edifact, see its README): each valid one
// decodes, each broken one gives the positioned error its name announces. Skipped, with a message, when absent.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { contrlFor, decodeInterchanges, type DecodedInterchange, type EdifactError } from '../../src/edi/edifact/index.ts';
import type { Acknowledgment, SalesOrder, Shipment } from '../../src/model/index.ts';
import { sampleFolder } from '../support/samples.ts';
import { assertRoundTrip, ctx, decodedMessages, partner } from './edifact-helpers.ts';

const { dir, missing } = sampleFolder('edifact');

function sample(name: string): Buffer {
  return readFileSync(join(dir, name));
}

function sampleTest(name: string, fn: () => Promise<void> | void): void {
  test(name, async (t) => {
    if (missing) {
      t.skip(missing);
      return;
    }
    await fn();
  });
}

function only(name: string): DecodedInterchange {
  const { interchanges } = decodeInterchanges(sample(name), ctx);
  assert.equal(interchanges.length, 1);
  return interchanges[0]!;
}

function errorsOf(ic: DecodedInterchange): EdifactError[] {
  return ic.verdict.errors.concat(ic.messages.flatMap((m) => m.errors)).filter((e) => e.severity === 'error');
}

sampleTest('orders-d01b-php-edifact: 146 lines, released + and : in names and text, UNOC read as Latin-1', async () => {
  const ic = only('orders-d01b-php-edifact.edi');
  assert.deepEqual(errorsOf(ic), []);
  const o = ic.documents[0] as SalesOrder;
  assert.equal(o.orderNumber, '2019265563');
  assert.equal(o.lines.length, 146);
  assert.equal(o.customer?.code, '4250159300001');
  assert.equal(o.depositor, '4399901760448');
  // NAD+DP...++A?+A K\xEF\xBF\xBDlte: the release character gives "A+A"; UNOC gives the bytes EF BF BD as three Latin-1 letters.
  assert.equal(o.shipTo.name, 'A+A K\u00ef\u00bf\u00bdlte GmbH');
  assert.equal(o.requestedDeliveryDate, '2018-12-06');
  assert.ok(o.lines.some((l) => l.description?.includes('1:10')), 'a released : stays in the description');
  assert.deepEqual([o.lines[0]!.sku, o.lines[0]!.customerSku, o.lines[0]!.quantity, o.lines[0]!.uom], ['1001', '6001001', '2', 'GBND']);
  assert.equal(ic.verdict.interchange.test, true);
  await assertRoundTrip(o, partner({ directory: 'D01B' }));
});

sampleTest('orders-d01b-php-edifact-error: an unreleased : gives IMD too many components, at its position', () => {
  const ic = only('orders-d01b-php-edifact-error.edi');
  const errors = errorsOf(ic);
  assert.deepEqual(errors.map((e) => [e.code, e.position.segmentTag, e.position.segmentPosition, e.position.element]), [['EDIFACT_TOO_MANY_COMPONENTS', 'IMD', 359, 3]]);
  assert.deepEqual(ic.documents, []);
  // The ?* (a release before no service character) is reported, not fatal.
  assert.ok(ic.messages[0]!.errors.some((e) => e.code === 'EDIFACT_RELEASE_UNNEEDED' && e.position.segmentPosition === 83));
  const contrl = contrlFor(ic.verdict).message.segments;
  assert.deepEqual(contrl.slice(1).map((s) => s[0]), ['UCM', 'UCS', 'UCD']);
  assert.deepEqual(contrl[3], ['UCD', '16', ['3', '7']]);
});

sampleTest('orders-d96a-pydifact: decimal-comma UNA and EAN008; the message is sound but the interchange has no UNZ', () => {
  const [m] = decodedMessages(sample('orders-d96a-pydifact.edi'));
  assert.deepEqual(m!.errors.filter((e) => e.severity === 'error'), []);
  const o = m!.documents[0] as SalesOrder;
  assert.equal(o.orderNumber, '801715918011');
  assert.deepEqual(o.lines.map((l) => [l.sku, l.quantity]), [['5020436373085', '8'], ['5020436373108', '8']]);
  assert.equal(o.requestedDeliveryDate, '2015-08-06');
  const ic = only('orders-d96a-pydifact.edi');
  assert.deepEqual(errorsOf(ic).map((e) => e.code), ['EDIFACT_UNZ_MISSING']);
  assert.deepEqual(ic.documents, [], 'an interchange without UNZ cannot be known whole: nothing is applied');
});

sampleTest('orders-d96a-edifact-ls-count-mismatch: UNT 99 against 3 segments', () => {
  const ic = only('orders-d96a-edifact-ls-count-mismatch.edi');
  const e = errorsOf(ic).find((x) => x.code === 'EDIFACT_UNT_COUNT')!;
  assert.deepEqual([e.position.segmentTag, e.position.segmentPosition, e.position.element, e.position.message], ['UNT', 3, 1, '1']);
});

sampleTest('orders-d96b-staedi-group-badcount: the UNG/UNE group is sound, UNT says 21 against 18', () => {
  const ic = only('orders-d96b-staedi-group-badcount.edi');
  assert.deepEqual(errorsOf(ic).map((e) => [e.code, e.position.group, e.position.segmentPosition]), [['EDIFACT_UNT_COUNT', '1', 18]]);
  assert.equal(ic.verdict.groups.length, 1);
  assert.deepEqual(ic.verdict.groups[0]!.errors, []);
  assert.equal(ic.verdict.interchange.test, true);
  assert.equal(ic.verdict.interchange.agreementId, 'EANCOM');
});

sampleTest('orders-d01b-edifact-rs: a bare message (no UNB) reads with a warning; it has no lines for a sales order', () => {
  const [m] = decodedMessages(sample('orders-d01b-edifact-rs.edi'));
  assert.equal(m!.message.interchange, null);
  assert.deepEqual(m!.message.errors.map((e) => [e.code, e.severity]), [['EDIFACT_NO_INTERCHANGE', 'warning']]);
  // A canonical sales order needs a line: the header-only order is refused for that alone.
  assert.deepEqual(m!.errors.filter((e) => e.severity === 'error').map((e) => [e.code, e.position.segmentTag]), [['EDIFACT_SEGMENT_MISSING', 'LIN']]);
});

sampleTest('orders-d01b-edifact-rs-malformed: BGM before UNH, UNT 5 against 4', () => {
  const { interchanges, outside } = decodeInterchanges(sample('orders-d01b-edifact-rs-malformed.edi'), ctx);
  assert.equal(interchanges.length, 0);
  assert.deepEqual(outside.errors.map((e) => [e.code, e.position.segmentTag]), [['EDIFACT_UNEXPECTED_SEGMENT', 'BGM']]);
  const codes = outside.messages[0]!.errors.filter((e) => e.severity === 'error').map((e) => e.code);
  assert.deepEqual(codes, ['EDIFACT_UNT_COUNT', 'EDIFACT_SEGMENT_MISSING']);
});

sampleTest('desadv-d96a-php-edifact: no UNA, UNH version 0, ISBNs in untyped PIA', async () => {
  const ic = only('desadv-d96a-php-edifact.edi');
  assert.deepEqual(errorsOf(ic), []);
  const s = ic.documents[0] as Shipment;
  assert.deepEqual([s.shipmentNumber, s.orderNumber], ['Y02197250', '6877871']);
  assert.deepEqual(s.lines.map((l) => [l.lineNumber, l.sku, l.quantity]), [['001', '9780738507330', '1'], ['002', '9781568361871', '1']]);
  assert.ok(ic.messages[0]!.errors.some((e) => e.code === 'EDIFACT_UNH_VERSION' && e.severity === 'warning'));
  await assertRoundTrip(s);
});

sampleTest('desadv-d96a-php-edifact-utf8: UTF-8 bytes under UNOC are refused, named, at their element', () => {
  const ic = only('desadv-d96a-php-edifact-utf8.edi');
  const errors = errorsOf(ic);
  assert.deepEqual(errors.map((e) => [e.code, e.position.segmentTag, e.position.segmentPosition, e.position.element, e.position.component]), [['EDIFACT_CHARACTER_INVALID', 'IMD', 11, 3, 4]]);
  assert.match(errors[0]!.message, /0xC3 0x8B.*UTF-8 for "Ë".*UNOY/);
});

sampleTest('desadv-d96a-effektor-badcount: BOM before UNA, pack with SSCC, lots and best-before; UNT 35 against 36', () => {
  const ic = only('desadv-d96a-effektor-badcount.edi');
  assert.deepEqual(errorsOf(ic).map((e) => [e.code, e.position.segmentPosition]), [['EDIFACT_UNT_COUNT', 36]]);
  // The content itself reads: the same message with its count put right.
  const fixed = sample('desadv-d96a-effektor-badcount.edi').toString('latin1').replace('UNT+35+', 'UNT+36+');
  const [m] = decodedMessages(fixed);
  assert.deepEqual(m!.errors.filter((e) => e.severity === 'error'), []);
  const s = m!.documents[0] as Shipment;
  assert.equal(s.packages[0]!.sscc, '373000152000023055');
  assert.equal(s.lines[0]!.quantity, '50');
  assert.equal(s.lines[0]!.lots[0]!.lot, 'AB152715');
  assert.equal(s.lines[0]!.lots[0]!.expiryDate, '2020-12-24');
  assert.equal(s.complete, true);
  assert.equal(s.shippedAt, '2018-04-01T00:00:00Z');
});

sampleTest('desadv-d01b-effektor-malformed: short UNA, missing terminators, UTF-8 quotes, no UNZ', () => {
  const ic = only('desadv-d01b-effektor-malformed.edi');
  const codes = errorsOf(ic).map((e) => e.code);
  assert.deepEqual([...new Set(codes)].sort(), ['EDIFACT_CHARACTER_INVALID', 'EDIFACT_TERMINATOR_MISSING', 'EDIFACT_UNA_INVALID', 'EDIFACT_UNZ_MISSING']);
  const t = errorsOf(ic).find((e) => e.code === 'EDIFACT_TERMINATOR_MISSING')!;
  assert.deepEqual([t.position.segmentTag, t.position.segmentPosition, t.position.message], ['MEA', 20, 'ME000001']);
  assert.deepEqual(ic.documents, []);
  // Read as the sender meant it, the pack hierarchy is there: two pallets with SSCCs under CPS 1.
  const fixed = sample('desadv-d01b-effektor-malformed.edi').toString('utf8').replace("UNA:+.?'\n", "UNA:+.? '\n").replaceAll('\u2019', "'").replace('++ ++', '++++') + "UNZ+1+964775'";
  const [m] = decodedMessages(Buffer.from(fixed, 'latin1'));
  const s = m!.documents[0] as Shipment;
  assert.deepEqual(m!.errors.filter((e) => e.severity === 'error'), []);
  assert.deepEqual(s.packages.map((p) => [p.sscc, p.weight?.value, p.lines.length]), [['354107380000001051', '263.2', 1], ['354107380000001068', '305.1', 3]]);
  assert.equal(s.packages[0]!.dimensions, undefined, 'length and width without height make no dimensions');
  assert.deepEqual(s.lines.map((l) => [l.sku, l.quantity]), [['5410738000152', '20'], ['5410738000169', '5'], ['5410738000176', '3'], ['5410738000183', '12']]);
});

sampleTest('aperak-d96a-pydifact: UNT 8 against 7 in both; read with the count put right, an ERC means an error', () => {
  for (const name of ['aperak-d96a-pydifact-badcount.edi', 'aperak-d96a-pydifact-rejected-badcount.edi']) {
    const ic = only(name);
    assert.deepEqual(errorsOf(ic).map((e) => [e.code, e.position.segmentPosition]), [['EDIFACT_UNT_COUNT', 7]]);
  }
  const [m] = decodedMessages(sample('aperak-d96a-pydifact-rejected-badcount.edi').toString('latin1').replace('UNT+8+', 'UNT+7+'));
  const a = m!.documents[0] as Acknowledgment;
  assert.equal(a.kind, 'application');
  assert.equal(a.status, 'rejected');
  assert.equal(a.acknowledges.reference, 'PO123456');
  assert.deepEqual(a.errors, [{ code: 'ERC-12', message: 'Order rejected due to invalid product code' }]);
});

sampleTest('contrl-d3-effektor-no-terminators: every segment lacks its terminator', () => {
  const ic = only('contrl-d3-effektor-no-terminators.edi');
  const errors = errorsOf(ic);
  assert.ok(errors.length >= 4 && errors.every((e) => e.code === 'EDIFACT_TERMINATOR_MISSING'), JSON.stringify(errors.map((e) => e.code)));
  assert.deepEqual(errors.map((e) => e.position.segmentTag), ['UNB', 'UNH', 'UCI', 'UNT']);
  const [m] = decodedMessages(sample('contrl-d3-effektor-no-terminators.edi').toString('latin1').replaceAll('\n', "'\n"));
  const a = m!.documents[0] as Acknowledgment;
  assert.deepEqual([a.status, a.acknowledges.reference, a.acknowledges.senderId, a.acknowledges.receiverId], ['rejected', '1', 'SENDER PHONE', 'RECIPIENT']);
});

sampleTest('invrpt-d20a-edifact-ls-violation: BGM twice', () => {
  const ic = only('invrpt-d20a-edifact-ls-violation.edi');
  const e = errorsOf(ic).find((x) => x.code === 'EDIFACT_SEGMENT_REPEATED')!;
  assert.deepEqual([e.position.segmentTag, e.position.segmentPosition, e.position.messageType], ['BGM', 3, 'INVRPT']);
});

sampleTest('invoic-d97b-staedi-custom-una: UNA=*.? ~ is read; INVOIC is refused as a message Causeway does not read', () => {
  const ic = only('invoic-d97b-staedi-custom-una.edi');
  assert.deepEqual(ic.verdict.errors.filter((e) => e.severity === 'error'), []);
  assert.deepEqual(ic.verdict.interchange.recipient, { id: '006415160', qualifier: '1', internalId: '' });
  assert.equal(ic.messages[0]!.message.segments.length, 24);
  assert.deepEqual(errorsOf(ic).map((e) => e.code), ['EDIFACT_MESSAGE_UNSUPPORTED']);
  assert.ok(ic.verdict.errors.some((e) => e.code === 'EDIFACT_RELEASE_UNNEEDED' && e.severity === 'warning'));
});
