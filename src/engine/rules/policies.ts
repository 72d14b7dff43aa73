import { z } from 'zod';
import type { CausewayError } from '../../model/index.ts';
import { rulesPolicySchema, type RulesPolicy } from './policy.ts';

/**
 * Where the rules' settings sit in the config: `rules:` at the top (every document), under
 * `rules.partners.<name>` (documents that come in through that endpoint, or through an endpoint
 * reading with that X12 partner profile) and under a flow's `rules:` (documents that flow routes).
 * A narrower place overrides a wider one field by field; whatever none sets keeps its default.
 */
export interface RulesSettings {
  /** False turns the rules step off: every document is routed as it comes, no ledger is kept. */
  enabled?: boolean;
  partners?: Record<string, Record<string, unknown>>;
  [field: string]: unknown;
}

export interface PolicyScope {
  /** The first flow (in config order) that routes the document and sets its own rules. */
  flow?: { name: string; rules?: Record<string, unknown> };
  /** The endpoint the document came in through, and the partner profile it reads with. */
  endpoint?: string;
  partner?: string;
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Overlays `over` on `base`: objects merge field by field, anything else (arrays too) replaces. */
export function overlay(base: Plain, over: Plain | undefined): Plain {
  if (!over) return base;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlain(v) && isPlain(out[k]) ? overlay(out[k] as Plain, v) : v;
  return out;
}

function topLevel(settings: RulesSettings | undefined): Plain {
  const { enabled: _enabled, partners: _partners, ...policy } = settings ?? {};
  return policy;
}

/** Policies per scope, parsed once and kept. */
export class RulesPolicies {
  private readonly cache = new Map<string, RulesPolicy>();
  private readonly base: Plain;

  constructor(private readonly settings: RulesSettings | undefined) {
    this.base = topLevel(settings);
  }

  get enabled(): boolean {
    return this.settings?.enabled !== false;
  }

  /** The policy for documents of no particular flow or partner (the sweep's, an operator's action). */
  get general(): RulesPolicy {
    return this.for({});
  }

  for(scope: PolicyScope): RulesPolicy {
    const partners = this.settings?.partners ?? {};
    const partnerName = scope.endpoint !== undefined && partners[scope.endpoint] ? scope.endpoint : scope.partner !== undefined && partners[scope.partner] ? scope.partner : undefined;
    const flowName = scope.flow?.rules ? scope.flow.name : undefined;
    const key = `${partnerName ?? ''}\u0000${flowName ?? ''}`;
    let policy = this.cache.get(key);
    if (!policy) {
      policy = rulesPolicySchema.parse(overlay(overlay(this.base, partnerName ? partners[partnerName] : undefined), flowName ? scope.flow!.rules : undefined));
      this.cache.set(key, policy);
    }
    return policy;
  }
}

/** The faults of every policy the config can make, each at the path of the setting at fault (checkConfig reports them). */
export function checkRulesSettings(settings: RulesSettings | undefined, flows: Array<{ name: string; rules?: Record<string, unknown> }>): CausewayError[] {
  const errors: CausewayError[] = [];
  const base = topLevel(settings);
  const check = (input: Plain, at: string, own: Plain) => {
    const r = rulesPolicySchema.safeParse(input);
    if (r.success) return;
    for (const issue of r.error.issues) {
      // Report a fault where it was written: the narrower place when it set that field, else the top level.
      const first = issue.path[0];
      const where = first !== undefined && Object.hasOwn(own, String(first)) ? at : '$.rules';
      errors.push({ code: 'CONFIG_INVALID', path: `${where}${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`, message: `rules: ${issue.message}` });
    }
  };
  check(base, '$.rules', base);
  const seen = new Set(errors.map((e) => `${e.path}\u0000${e.message}`));
  const add = (more: CausewayError[]) => {
    for (const e of more) if (!seen.has(`${e.path}\u0000${e.message}`)) { seen.add(`${e.path}\u0000${e.message}`); errors.push(e); }
  };
  for (const [name, p] of Object.entries(settings?.partners ?? {})) {
    const before = errors.length;
    check(overlay(base, p), `$.rules.partners.${name}`, p);
    add(errors.splice(before));
  }
  for (const [i, f] of flows.entries()) {
    if (!f.rules) continue;
    const before = errors.length;
    check(overlay(base, f.rules), `$.flows[${i}].rules`, f.rules);
    add(errors.splice(before));
  }
  return errors;
}

/** The config schema's `rules:` section: the policy fields are checked by checkRulesSettings, which knows where each came from. */
export const rulesSettingsSchema = z.object({
  enabled: z.boolean().default(true).meta({ description: 'The business rules step (docs/rules.md); false routes every document as it comes and keeps no ledger' }),
  partners: z.record(z.string(), z.record(z.string(), z.unknown())).default({}).meta({
    description: 'Policies for documents that come in through an endpoint, or through endpoints reading with an X12 partner profile, by that name',
  }),
}).catchall(z.unknown()).meta({ description: 'The business rules\' policies (docs/rules.md): over-shipment, holds, lots, ownership, stuck orders...' });
