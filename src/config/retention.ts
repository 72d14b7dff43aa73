import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { DOCUMENT_TYPES } from '../model/index.ts';

const days = (what: string) => z.number().positive().optional().meta({ description: `Keep ${what} this many days after a message was received (unset: for ever)` });

/** How long each part of a message is kept. A narrower setting wins, field by field. */
const keepSchema = z.object({
  rawDays: days('the raw bytes as received'),
  documentsDays: days('documents, deliveries and their attempts'),
  attemptsDays: days('the attempt log of finished deliveries (counted from the attempt)'),
}).strict();

const documentType = z.enum(DOCUMENT_TYPES as [string, ...string[]]);

const tenantSchema = keepSchema.extend({
  messagesDays: days('the message row itself, and with it its idempotency key (a resend after that is taken as new)'),
  ledgerDays: days('the rules\' ledgers of finished orders and purchase orders (counted from their last change)'),
  reconciliationDays: days('reconciliation runs and their positions (decided positions are kept)'),
  byType: z.partialRecord(documentType, keepSchema).default({}).meta({
    description: 'Per document type. A message keeps each part as long as the longest setting among the types of its documents',
    examples: [{ inventory_snapshot: { documentsDays: 7 } }],
  }),
}).strict();

/** The `retention` section (docs/operations.md, "Retention"). Nothing is pruned until a period is set. */
export const retentionSchema = tenantSchema.extend({
  tenants: z.record(z.string().min(1), tenantSchema.partial({ byType: true })).default({}).meta({
    description: 'Per tenant: overrides the settings above for that tenant, field by field (byType merges by type)',
  }),
  everyMs: z.number().int().min(0).default(3_600_000).meta({
    description: 'How often the pruner runs, on one worker of the cluster at a time (0: only `causeway prune`)',
  }),
  batchSize: z.number().int().min(1).max(5000).default(500).meta({ description: 'Rows looked at and removed per transaction, so the pipeline never waits long' }),
  pauseMs: z.number().int().min(0).max(10_000).default(20).meta({ description: 'Pause between batches, leaving the store to the pipeline' }),
  archive: z.object({
    folder: z.string().min(1).meta({ description: 'Folder where pruned data is written first, as gzip-compressed JSON lines, one file per tenant and day received' }),
  }).strict().optional(),
}).strict().superRefine((r, ctx) => {
  for (const [where, t] of [['', r], ...Object.entries(r.tenants).map(([n, t]) => [`tenants.${n}.`, t] as const)] as const) {
    if (t.messagesDays === undefined) continue;
    for (const field of ['rawDays', 'documentsDays'] as const) {
      const v = t[field] ?? (where ? r[field] : undefined);
      if (v === undefined || v > t.messagesDays) {
        ctx.addIssue({ code: 'custom', path: [...where.split('.').filter(Boolean), 'messagesDays'], message: `messagesDays removes the message row with everything it holds: set ${field} to at most ${t.messagesDays}` });
      }
    }
  }
});

export type RetentionConfig = z.infer<typeof retentionSchema>;
export type RetentionKeep = z.infer<typeof keepSchema>;
export const DEFAULT_RETENTION_CONFIG: RetentionConfig = retentionSchema.parse({});

/** The settings with the archive folder resolved against the config file's folder, as the store's path is. */
export function resolveRetention(r: RetentionConfig, baseDir: string): RetentionConfig {
  return r.archive && !isAbsolute(r.archive.folder) ? { ...r, archive: { folder: join(baseDir, r.archive.folder) } } : r;
}
