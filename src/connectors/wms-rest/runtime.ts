import type { Logger } from 'pino';
import { OutboundGuard, type EndpointContext, type OutboundPolicy } from '../../transports/index.ts';
import { authoriser } from './auth.ts';
import { RequestBudget } from './budget.ts';
import { profileFault } from './errors.ts';
import { Expressions } from './expressions.ts';
import { WmsClient, type WmsAnswer, type WmsRequest } from './http.ts';
import type { ChangeReadType, Profile, RequestSpec } from './profile.ts';
import { profileOf, type WmsRestSettings } from './settings.ts';

/**
 * What one wms-rest endpoint keeps while it runs, shared by its sink, its source and its webhook
 * receiver in this process: the API client (one cached OAuth2 token, one request budget per
 * warehouse), the compiled expressions, the warehouse ids met so far, and the thin events waiting
 * to be fetched. None of it is business state: every part can be rebuilt from the warehouse.
 *
 * The hub hands the sink and the source the same settings object, and the API hands the webhook
 * receiver that object too, so the runtime is found by it.
 */
export class EndpointRuntime {
  readonly profile: Profile;
  readonly vars: Record<string, string>;
  readonly client: WmsClient;
  readonly expressions: Expressions;
  readonly references = new ReferenceCache(10_000);
  readonly pending = new PendingFetches(10_000);

  constructor(readonly settings: WmsRestSettings, readonly name: string, readonly tenant: string, readonly logger: Logger, outbound?: OutboundPolicy) {
    const profile = profileOf(settings);
    this.profile = profile;
    this.vars = {
      ...Object.fromEntries(Object.entries(profile.variables).flatMap(([k, v]) => (v.default === undefined ? [] : [[k, v.default]]))),
      ...settings.vars,
    };
    const perMinute = settings.requestsPerMinute ?? profile.rateLimit.requestsPerMinute;
    // Every call and token request goes through the outbound guard: a redirect or a DNS answer
    // pointing inward is refused at connect.
    const dispatcher = new OutboundGuard(name, outbound).agent({ connect: { timeout: settings.timeoutMs } });
    this.client = new WmsClient({
      baseUrl: settings.url,
      dispatcher,
      authoriser: authoriser(settings.auth, profile.auth, settings.url, settings.timeoutMs, Date.now, dispatcher),
      budget: new RequestBudget(perMinute, profile.rateLimit.burst ?? Math.max(1, Math.ceil(perMinute / 10))),
      headers: Object.fromEntries(Object.entries(profile.headers).map(([k, v]) => [k, this.fill(v, {}, false)])),
      timeoutMs: settings.timeoutMs,
      retryAfterHeaders: profile.rateLimit.retryAfterHeaders,
    });
    this.expressions = new Expressions({ profile: profile.name, vars: this.vars, facilities: settings.facilities });
  }

  /** Fills {name} from the call's values, then the variables; in a path each value is escaped. */
  fill(template: string, values: Record<string, string>, escape: boolean): string {
    return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const value = Object.hasOwn(values, name) ? values[name] : this.vars[name];
      if (value === undefined) throw profileFault(`profile ${this.profile.name}: "${template}" needs {${name}}, which neither the call nor the endpoint's vars give`);
      return escape ? encodeURIComponent(value) : value;
    });
  }

  /** The request a profile's spec makes, with the call's values and an optional body. */
  request(spec: RequestSpec, values: Record<string, string>, body?: unknown): WmsRequest {
    return {
      method: spec.method,
      target: this.fill(spec.path, values, true),
      query: Object.fromEntries(Object.entries(spec.query).map(([k, v]) => [k, this.fill(v, values, false)])),
      headers: Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k, this.fill(v, values, false)])),
      body,
    };
  }

  send(request: WmsRequest, signal: AbortSignal): Promise<WmsAnswer> {
    return this.client.send(request, signal);
  }
}

const runtimes = new WeakMap<object, EndpointRuntime>();

export function runtimeFor(settings: WmsRestSettings, ctx: EndpointContext): EndpointRuntime {
  let runtime = runtimes.get(settings);
  if (!runtime) {
    runtime = new EndpointRuntime(settings, ctx.name, ctx.tenant, ctx.logger, ctx.outbound);
    runtimes.set(settings, runtime);
  }
  return runtime;
}

/**
 * Our reference -> the warehouse's id, as met by lookups and creates. Bounded, and only a shortcut:
 * a miss is answered by looking the reference up at the warehouse, which is always right.
 */
export class ReferenceCache {
  private readonly ids = new Map<string, string>();

  constructor(private readonly capacity: number) {}

  get(kind: string, reference: string): string | undefined {
    const key = `${kind}:${reference}`;
    const id = this.ids.get(key);
    if (id !== undefined) {
      this.ids.delete(key);
      this.ids.set(key, id);
    }
    return id;
  }

  set(kind: string, reference: string, id: string): void {
    const key = `${kind}:${reference}`;
    this.ids.delete(key);
    this.ids.set(key, id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.keys().next().value!);
  }

  forget(kind: string, reference: string): void {
    this.ids.delete(`${kind}:${reference}`);
  }
}

/** A thin event's resource, to be fetched by the source. */
export interface PendingFetch {
  read: ChangeReadType;
  id?: string;
  url?: string;
}

/**
 * Thin events waiting for the source's next poll, in arrival order, one entry per resource. They
 * live in memory only: a restart or another worker polling loses them, and the reconciliation
 * read, which runs whether events come or not, finds the same changes.
 */
export class PendingFetches {
  private readonly queue = new Map<string, PendingFetch>();

  constructor(private readonly capacity: number) {}

  add(fetch: PendingFetch): void {
    const key = `${fetch.read}:${fetch.id ?? fetch.url}`;
    this.queue.delete(key);
    this.queue.set(key, fetch);
    if (this.queue.size > this.capacity) this.queue.delete(this.queue.keys().next().value!);
  }

  /** Takes up to `limit` waiting fetches; the caller gives back what it could not do. */
  take(limit: number): PendingFetch[] {
    const taken: PendingFetch[] = [];
    for (const [key, fetch] of this.queue) {
      if (taken.length >= limit) break;
      this.queue.delete(key);
      taken.push(fetch);
    }
    return taken;
  }

  giveBack(fetches: PendingFetch[]): void {
    const rest = [...this.queue.entries()];
    this.queue.clear();
    for (const f of fetches) this.queue.set(`${f.read}:${f.id ?? f.url}`, f);
    for (const [key, f] of rest) this.queue.set(key, f);
  }

  get size(): number {
    return this.queue.size;
  }
}
