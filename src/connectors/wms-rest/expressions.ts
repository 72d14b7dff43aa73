import Big from 'big.js';
import jsonata from 'jsonata';
import { normaliseDecimal } from '../../model/index.ts';
import { rejected, WmsError } from './errors.ts';

/**
 * The profile's JSONata expressions, compiled once per endpoint, with the few functions every
 * profile needs bound in (see profile.ts). An expression that does not compile or fails is the
 * profile's fault and says which expression of which profile; a facility with no mapping is the
 * document's, and refused as such.
 */
export interface ExpressionScope {
  profile: string;
  vars: Record<string, string>;
  /** Our facility code -> the warehouse's facility id. */
  facilities: Record<string, string>;
}

class UnmappedFacility extends Error {}

export class Expressions {
  private readonly compiled = new Map<string, ReturnType<typeof jsonata>>();
  private readonly bindings: Record<string, unknown>;

  constructor(private readonly scope: ExpressionScope) {
    const byWarehouseId = new Map(Object.entries(scope.facilities).map(([code, id]) => [id, code]));
    this.bindings = {
      vars: scope.vars,
      facility: (code: unknown) => {
        if (code === undefined || code === null) return undefined;
        const id = scope.facilities[String(code)];
        if (id === undefined) throw new UnmappedFacility(`facility ${JSON.stringify(code)} has no warehouse facility (the endpoint's facilities setting maps ${Object.keys(scope.facilities).join(', ') || 'none'})`);
        return id;
      },
      facilityCode: (id: unknown) => (id === undefined || id === null ? undefined : byWarehouseId.get(String(id))),
      decimal: (value: unknown) => toDecimal(value),
      // JSONata's own + - and $sum are binary floats: 0.1 + 0.2 is 0.30000000000000004.
      decimalSum: (values: unknown) => decimalSum(values),
      decimalDiff: (a: unknown, b: unknown) => {
        const [x, y] = [toDecimal(a), toDecimal(b)];
        return x === undefined || y === undefined ? undefined : normaliseDecimal(new Big(x).minus(y).toFixed());
      },
      iso: (value: unknown) => toIso(value),
      date: (value: unknown) => toIso(value)?.slice(0, 10),
      link: (value: unknown, rel: unknown) => linkOf(value, rel),
    };
  }

  async evaluate(expression: string, input: unknown, where: string, extra: Record<string, unknown> = {}): Promise<unknown> {
    const compiled = this.compile(expression, where);
    try {
      return await compiled.evaluate(input, { ...this.bindings, ...extra });
    } catch (error) {
      if (error instanceof UnmappedFacility) throw rejected(error.message);
      if (error instanceof WmsError) throw error;
      const e = error as { message?: string; position?: number };
      throw new WmsError('WMS_PROFILE', `profile ${this.scope.profile}, ${where}: the expression failed${e.position !== undefined ? ` at position ${e.position}` : ''}: ${e.message ?? String(error)}`);
    }
  }

  /** Evaluates to a list: nothing is [], one value is [value]. */
  async list(expression: string, input: unknown, where: string, extra?: Record<string, unknown>): Promise<unknown[]> {
    const value = await this.evaluate(expression, input, where, extra);
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? [...value] : [value];
  }

  private compile(expression: string, where: string): ReturnType<typeof jsonata> {
    let compiled = this.compiled.get(expression);
    if (!compiled) {
      try {
        compiled = jsonata(expression);
      } catch (error) {
        const e = error as { message?: string; position?: number };
        throw new WmsError('WMS_PROFILE', `profile ${this.scope.profile}, ${where}: the expression does not compile at position ${e.position ?? '?'}: ${e.message}`);
      }
      this.compiled.set(expression, compiled);
    }
    return compiled;
  }
}

/** Checks an expression compiles, for the config check: undefined when it does, else why not. */
export function compileError(expression: string): string | undefined {
  try {
    jsonata(expression);
    return undefined;
  } catch (error) {
    const e = error as { message?: string; position?: number };
    return `does not compile at position ${e.position ?? '?'}: ${e.message}`;
  }
}

/** An exact decimal string from a vendor's number or numeric string; undefined for anything else. */
export function toDecimal(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return normaliseDecimal(new Big(value).toFixed());
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return normaliseDecimal(new Big(value.trim()).toFixed());
  return undefined;
}

/** The exact sum of numbers or numeric strings (a single value, a list, or nothing: "0"). */
export function decimalSum(values: unknown): string {
  const list = values === undefined || values === null ? [] : Array.isArray(values) ? values : [values];
  let sum = new Big(0);
  for (const v of list) {
    const d = toDecimal(v);
    if (d !== undefined) sum = sum.plus(d);
  }
  return normaliseDecimal(sum.toFixed());
}

/** ISO-8601 with an offset; a vendor time without one (Extensiv's "2026-05-01T10:00:00") is taken as UTC. */
export function toIso(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const withZone = /([zZ]|[+-]\d{2}:?\d{2})$/.test(value) || !value.includes('T') ? value : `${value}Z`;
  const ms = Date.parse(value.includes('T') ? withZone : `${value}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The URL of one relation in an RFC 8288 Link header (`<https://...?page=2>; rel="next"`). */
export function linkOf(header: unknown, rel: unknown): string | undefined {
  if (typeof header !== 'string' || typeof rel !== 'string') return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!match) continue;
    const rels = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(match[2])?.[1]?.split(/\s+/) ?? [];
    if (rels.includes(rel)) return match[1];
  }
  return undefined;
}
