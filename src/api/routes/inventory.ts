import { z } from 'zod';
import { UnknownFacility, type EngineFacade } from '../../engine/index.ts';
import { auditReportCsv, auditReportHtml, FINDING_KINDS, POSITION_STATUSES, type AuditItem } from '../../inventory/index.ts';
import type { ReconciliationRun, StoredPositionResult, VarianceDecision } from '../../store/index.ts';
import { listOperation } from '../list-operation.ts';
import { operation, type Operation } from '../operation.ts';
import { isFullPage } from '../present.ts';
import { notFound } from '../problems.ts';

// Inventory truth: reconciliation runs and their results, decisions on variances (with who and
// when), stock positions of both sides, available-to-promise, and the go-live audit.

const iso = (ms: number) => new Date(ms).toISOString();
const isoTime = z.iso.datetime({ offset: true });
const facility = z.string().min(1).max(128).optional().meta({ description: 'Only this facility' });
const limit = z.coerce.number().int().min(1).max(1000).optional().meta({ description: 'At most this many (default 100)' });
const before = z.coerce.number().int().positive().optional().meta({ description: 'Only runs or decisions with ids below this (the previous page\'s nextBefore)' });
const runParams = z.object({ run: z.coerce.number().int().positive().meta({ description: 'Reconciliation run id' }) });

const sidePosition = z.object({
  onHand: z.string(), allocated: z.string(), available: z.string(), onHold: z.string(), quarantined: z.string(),
  inTransit: z.string().meta({ description: 'Signed quantity of documents in flight towards this side' }), asOf: z.string(),
}).nullable();
const accuracyFigure = z.object({ compared: z.number().int(), agreeing: z.number().int(), rate: z.number().nullable() });
const runSchema = z.object({
  id: z.number().int(), at: z.string().meta({ description: 'The time T both sides were compared at' }), facility: z.string().nullable(), trigger: z.string(),
  startedAt: z.string(), finishedAt: z.string(),
  counts: z.record(z.string(), z.number().int()).meta({ description: `Positions per status: ${POSITION_STATUSES.join(', ')}` }),
  accuracy: z.object({ overall: accuracyFigure, byFacility: z.record(z.string(), accuracyFigure) }),
  snapshots: z.record(z.string(), z.object({ warehouse: z.string().nullable(), erp: z.string().nullable() })).meta({ description: 'Per facility: the newest snapshot of each side by T' }),
});
const resultSchema = z.object({
  position: z.number().int().meta({ description: 'Number of the result within its run: what a decision names' }),
  facility: z.string(), sku: z.string(), lot: z.string(), uom: z.string(), status: z.enum(POSITION_STATUSES as [string, ...string[]]),
  difference: z.string().meta({ description: 'Warehouse on hand less ERP on hand' }),
  correctedDifference: z.string().meta({ description: 'The same once documents in flight are counted' }),
  warehouse: sidePosition, erp: sidePosition, explanation: z.string(),
  documents: z.array(z.object({
    documentId: z.string(), type: z.string(), reference: z.string(), towards: z.string(), occurredAt: z.string(),
    delivery: z.string().meta({ description: 'pending, dead, delivered_after (delivered after T), held (the rules hold it) or refused (the rules refused it)' }),
    reason: z.string().optional().meta({ description: 'The rules\' reason, for a held or refused document' }),
    quantity: z.string(),
  })),
});
const decisionSchema = z.object({
  id: z.number().int(), runId: z.number().int(), position: z.number().int(), facility: z.string(), sku: z.string(), lot: z.string(), uom: z.string(),
  quantity: z.string().meta({ description: 'The variance decided on: warehouse less ERP' }), action: z.enum(['approved', 'rejected']),
  decidedBy: z.string(), decidedAt: z.string(), note: z.string().optional(),
});

export const reconciliationRequest = z.object({
  facility: z.string().min(1).max(128).optional().meta({ description: 'Only this facility (default: all)' }),
  at: isoTime.optional().meta({ description: 'The time T to compare at (default: now)' }),
}).strict();
export const varianceDecisionRequest = z.object({
  positions: z.array(z.number().int().positive()).min(1).max(10_000).meta({ description: 'Positions of variances of the run' }),
  action: z.enum(['approve', 'reject']),
  note: z.string().max(400).optional(),
}).strict();
const auditItem = z.looseObject({ sku: z.string().max(256) });
export const auditRequest = z.object({
  warehouse: z.array(auditItem).max(500_000).optional().meta({ description: 'The warehouse\'s item master (item records); default: item documents from warehouse endpoints' }),
  erp: z.array(auditItem).max(500_000).optional().meta({ description: 'The ERP\'s item master; default: item documents its connector brought in' }),
  carriers: z.array(z.object({ code: z.string(), side: z.enum(['erp', 'warehouse']), record: z.string() })).max(100_000).optional()
    .meta({ description: 'Carrier codes either side uses, checked against the carrier code table' }),
}).strict();

function presentRun(r: ReconciliationRun): z.output<typeof runSchema> {
  const snapshots = r.snapshots as Record<string, { warehouse: number | null; erp: number | null }>;
  return {
    id: r.id, at: iso(r.at), facility: r.facility, trigger: r.trigger, startedAt: iso(r.startedAt), finishedAt: iso(r.finishedAt),
    counts: r.counts, accuracy: r.accuracy as z.output<typeof runSchema>['accuracy'],
    snapshots: Object.fromEntries(Object.entries(snapshots).map(([f, s]) => [f, { warehouse: s.warehouse === null ? null : iso(s.warehouse), erp: s.erp === null ? null : iso(s.erp) }])),
  };
}

function presentResult(r: StoredPositionResult): z.output<typeof resultSchema> {
  const d = r.detail as Pick<z.output<typeof resultSchema>, 'warehouse' | 'erp' | 'explanation' | 'documents'>;
  return { position: r.position, facility: r.facility, sku: r.sku, lot: r.lot, uom: r.uom, status: r.status, difference: r.difference, correctedDifference: r.correctedDifference, ...d };
}

function presentDecision(d: VarianceDecision): z.output<typeof decisionSchema> {
  const { tenant: _tenant, decidedAt, ...rest } = d;
  return { ...rest, decidedAt: iso(decidedAt) };
}


export function inventoryOperations(engine: EngineFacade): Operation[] {
  const inventory = engine.inventory;
  const who = (c: { get(k: 'keyName'): string }) => `api key ${c.get('keyName')}`;
  const runOf = async (tenant: string, id: number) => {
    const run = await inventory.getRun(tenant, id);
    if (!run) throw notFound(`no reconciliation run ${id}`);
    return run;
  };
  return [
    operation({
      method: 'post', path: '/v1/reconciliations', operationId: 'runReconciliation', tag: 'Inventory',
      summary: 'Reconcile the ERP\'s stock against the warehouse\'s as of a time, and store the run',
      description: 'Each position is classed match, in_flight (explained by the documents listed), timing (a side\'s snapshot is too old) or variance. See docs/inventory.md.',
      body: { kind: 'json', schema: reconciliationRequest, component: 'ReconciliationRequest' },
      responses: { 201: { description: 'The run, with its variances', schema: z.object({ run: runSchema, variances: z.array(resultSchema) }) }, 400: { description: 'Bad request', schema: 'Problem' }, 404: { description: 'No stock of that facility from either side', schema: 'Problem' } },
      async handle(c, { body }) {
        const summary = await inventory.reconcile(c.get('tenant'), { at: body.at ? Date.parse(body.at) : undefined, facility: body.facility, trigger: 'api' }).catch((e: unknown) => {
          throw e instanceof UnknownFacility ? notFound(e.message) : e;
        });
        return c.json({ run: presentRun(summary.run), variances: summary.variances.map(presentResult) }, 201);
      },
    }),
    listOperation({
      path: '/v1/reconciliations', operationId: 'listReconciliations', tag: 'Inventory',
      summary: 'Reconciliation runs, newest first',
      query: z.object({ facility, limit, before }),
      items: 'runs', schema: z.object({ items: z.array(runSchema), nextBefore: z.number().nullable() }),
      list: (tenant, query) => inventory.listRuns(tenant, query),
      present: presentRun,
    }),
    operation({
      method: 'get', path: '/v1/reconciliations/{run}', operationId: 'getReconciliation', tag: 'Inventory',
      summary: 'A run and its results per position',
      params: runParams,
      query: z.object({
        status: z.enum(POSITION_STATUSES as [string, ...string[]]).optional(), facility,
        after: z.coerce.number().int().min(0).optional().meta({ description: 'Results after this position (the previous page\'s nextAfter)' }), limit,
      }),
      responses: { 200: { description: 'The run and a page of its results', schema: z.object({ run: runSchema, results: z.array(resultSchema), nextAfter: z.number().nullable() }) }, 404: { description: 'No such run', schema: 'Problem' } },
      async handle(c, { params, query }) {
        const tenant = c.get('tenant');
        const run = await runOf(tenant, params.run);
        const results = await inventory.results(tenant, run.id, { status: query.status, facility: query.facility, after: query.after, limit: query.limit });
        return c.json({ run: presentRun(run), results: results.map(presentResult), nextAfter: isFullPage(results.length, query.limit) ? results[results.length - 1]!.position : null });
      },
    }),
    operation({
      method: 'get', path: '/v1/reconciliations/{run}/compare', operationId: 'compareReconciliations', tag: 'Inventory',
      summary: 'What changed from one run to another, position by position',
      params: runParams,
      query: z.object({ with: z.coerce.number().int().positive().meta({ description: 'The later run to compare with' }) }),
      responses: { 200: { description: 'The changes', schema: z.object({ base: z.number(), other: z.number(), accuracy: z.object({ base: z.number().nullable(), other: z.number().nullable() }), newVariances: z.number(), resolvedVariances: z.number(), changes: z.array(z.record(z.string(), z.unknown())) }) }, 404: { description: 'No such run', schema: 'Problem' } },
      async handle(c, { params, query }) {
        const compared = await inventory.compareRuns(c.get('tenant'), params.run, query.with);
        if (!compared) throw notFound(`no reconciliation run ${params.run} or ${query.with}`);
        return c.json(compared);
      },
    }),
    operation({
      method: 'post', path: '/v1/reconciliations/{run}/decisions', operationId: 'decideVariances', tag: 'Inventory',
      summary: 'Approve or reject variances of a run',
      description: 'An approved variance is sent as an inventory_adjustment (reason reconciliation, referencing the run) through the outbox to the side inventory.correct names, once however often it is approved. The first decision on a position stands; who decided and when is kept.',
      params: runParams,
      body: { kind: 'json', schema: varianceDecisionRequest, component: 'VarianceDecisionRequest' },
      responses: { 200: { description: 'The decisions as they stand, and the adjustments sent', schema: z.object({ decisions: z.array(decisionSchema), adjustments: z.array(z.object({ position: z.number(), messageId: z.number(), duplicate: z.boolean(), adjustmentNumber: z.string() })) }) }, 404: { description: 'No such run', schema: 'Problem' } },
      async handle(c, { params, body }) {
        const tenant = c.get('tenant');
        await runOf(tenant, params.run);
        const outcome = await inventory.decide(tenant, params.run, body.positions, body.action === 'approve' ? 'approved' : 'rejected', who(c), body.note);
        return c.json({ decisions: outcome.decisions.map(presentDecision), adjustments: outcome.messages });
      },
    }),
    listOperation({
      path: '/v1/inventory/decisions', operationId: 'listVarianceDecisions', tag: 'Inventory',
      summary: 'The audit log of decisions on variances, newest first',
      query: z.object({ run: z.coerce.number().int().positive().optional().meta({ description: 'Only decisions on this run' }), limit, before }),
      items: 'decisions', schema: z.object({ items: z.array(decisionSchema), nextBefore: z.number().nullable() }),
      list: (tenant, { run, ...query }) => inventory.decisions(tenant, { runId: run, ...query }),
      present: presentDecision,
    }),
    operation({
      method: 'get', path: '/v1/inventory/positions', operationId: 'listStockPositions', tag: 'Inventory',
      summary: 'Stock positions of both sides as of a time, compared, without storing a run',
      query: z.object({ facility, at: isoTime.optional().meta({ description: 'As of this time (default: now)' }) }),
      responses: { 200: { description: 'Positions', schema: z.object({ at: z.string(), items: z.array(resultSchema.omit({ position: true })) }) } },
      async handle(c, { query }) {
        const at = query.at ? Date.parse(query.at) : Date.now();
        return c.json({ at: iso(at), items: await inventory.positions(c.get('tenant'), at, query.facility) });
      },
    }),
    operation({
      method: 'get', path: '/v1/inventory/availability', operationId: 'listAvailability', tag: 'Inventory',
      summary: 'Available-to-promise per SKU and facility, now',
      description: 'On hand less allocated, on hold, quarantined and the safety buffer (inventory.availability.safetyStock). Published as inventory_availability documents when it changes.',
      query: z.object({ facility }),
      responses: { 200: { description: 'Availability', schema: z.object({ items: z.array(z.record(z.string(), z.unknown())) }) } },
      async handle(c, { query }) {
        const items = await inventory.availability(c.get('tenant'), Date.now());
        return c.json({ items: items.filter((a) => !query.facility || a.facility === query.facility).map((a) => ({ ...a, asOf: iso(a.asOf) })) });
      },
    }),
    operation({
      method: 'post', path: '/v1/audits', operationId: 'runAudit', tag: 'Inventory',
      summary: 'The go-live audit: the ERP\'s item master against the warehouse\'s',
      description: `Finds ${FINDING_KINDS.join(', ')}. Each finding names the record and the field and says what to do. format=csv or format=html for a spreadsheet or a page to read.`,
      query: z.object({ format: z.enum(['json', 'csv', 'html']).default('json') }),
      body: { kind: 'json', schema: auditRequest, component: 'AuditRequest' },
      responses: { 200: { description: 'The report: counts per kind and the findings', schema: z.object({ counts: z.record(z.string(), z.number()), total: z.number(), items: z.object({ erp: z.number(), warehouse: z.number() }), findings: z.array(z.record(z.string(), z.string())) }) } },
      async handle(c, { query, body }) {
        const report = await inventory.audit(c.get('tenant'), { erp: body.erp as AuditItem[] | undefined, warehouse: body.warehouse as AuditItem[] | undefined, carriers: body.carriers });
        if (query.format === 'csv') return new Response(auditReportCsv(report), { headers: { 'content-type': 'text/csv; charset=utf-8' } });
        if (query.format === 'html') return new Response(auditReportHtml(report), { headers: { 'content-type': 'text/html; charset=utf-8' } });
        return c.json(report);
      },
    }),
  ];
}
