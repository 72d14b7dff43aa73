import { z } from 'zod';
import { nonNegativeDecimal } from '../model/index.ts';

/** The `inventory` section: reconciliation, accuracy, available-to-promise and the go-live audit (docs/inventory.md). */
export const inventorySchema = z.object({
  erpEndpoints: z.array(z.string().min(1)).optional().meta({
    description: 'Endpoints that speak for the ERP: their snapshots are the ERP\'s stock, and a delivery to them is the ERP applying a document. Default: every endpoint of an ERP connector type (tryton). All other endpoints speak for the warehouse',
    examples: [['tryton']],
  }),
  correct: z.enum(['erp', 'warehouse']).default('erp').meta({
    description: 'The side an approved variance corrects: erp (the default: the warehouse counted, the ERP\'s book follows) or warehouse. A flow from endpoint "inventory" carries the inventory_adjustment there',
  }),
  tolerance: z.record(z.string().min(1), nonNegativeDecimal).default({}).meta({
    description: 'Per unit of measure: the largest difference that still counts as agreement (default 0)', examples: [{ KG: '0.05', EA: '0' }],
  }),
  timingToleranceMs: z.number().int().nonnegative().default(3_600_000).meta({
    description: 'A difference where either side\'s snapshot of the facility is older than this before T is classed timing, not variance',
  }),
  lookbackMs: z.number().int().positive().default(7 * 86_400_000).meta({
    description: 'How far before T snapshots and delivered movements are read. Undelivered movements are read however old',
  }),
  reconcileEveryMs: z.number().int().min(0).default(0).meta({
    description: 'Reconcile every tenant on this schedule, on one worker of the cluster at a time (0: only on demand)',
  }),
  availability: z.object({
    publishEveryMs: z.number().int().min(0).default(0).meta({ description: 'How often available-to-promise is computed and, where it changed, published as inventory_availability documents from endpoint "inventory" (0: never)' }),
    safetyStock: z.object({
      bySku: z.record(z.string().min(1), nonNegativeDecimal).default({}),
      byCategory: z.record(z.string().min(1), nonNegativeDecimal).default({}).meta({ description: 'By the item master\'s category; a SKU\'s own buffer wins' }),
    }).strict().default({ bySku: {}, byCategory: {} }),
  }).strict().default({ publishEveryMs: 0, safetyStock: { bySku: {}, byCategory: {} } }),
  audit: z.object({
    codeTables: z.object({
      facility: z.string().optional(),
      carrier: z.string().optional(),
      unit: z.string().optional(),
    }).strict().default({}).meta({ description: 'Names of the code tables (codeTables) facility, carrier and unit codes are checked against; a kind without one is not checked' }),
  }).strict().default({ codeTables: {} }),
}).strict();

export type InventoryConfig = z.infer<typeof inventorySchema>;
export const DEFAULT_INVENTORY_CONFIG: InventoryConfig = inventorySchema.parse({});
