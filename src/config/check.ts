import { isIP } from 'node:net';
import type { Codec, CodecConfig } from '../codecs/index.ts';
import { DOCUMENT_TYPES, type CausewayError, type DocumentType } from '../model/index.ts';
import { unknownSources } from '../engine/mapping/sources.ts';
import { declaredTypes, defaultCodecOf, isTarget, OutboundGuard, type DocumentTypes, type EndpointSpec } from '../transports/index.ts';
import type { LoadedConfig } from './loaded.ts';
import { allPartners, resolvePartnerTenants } from './partners.ts';
import { checkRulesSettings } from '../engine/rules/policies.ts';
import type { CausewayConfig, FlowConfig } from './schema.ts';

/**
 * Every check that goes across a config's sections, in one place: `causeway validate` and the
 * hub's start run this same function, so a config one accepts the other starts. A config that
 * would be accepted and then dead-letter or quarantine everything it routes is an error here;
 * one that is merely useless (a flow that can never match) is a warning.
 *
 * What only a codec can judge (X12: the partner an endpoint names, where our acknowledgments go) is
 * the codec's own checkConfig, asked from here for every codec the config's endpoints use.
 *
 * It also settles each X12 partner profile's tenant (resolvePartnerTenants), which the hub needs.
 */
export interface ConfigCheck {
  errors: CausewayError[];
  warnings: CausewayError[];
  /** Endpoints codecs send to on their own (our X12 acknowledgments): the hub opens them as targets even when no flow names them. */
  sinks: string[];
}

/** The API: an inbound endpoint every config has, taking any canonical document as JSON. */
const API = 'api';
/** Causeway's own inventory documents (approved corrections, availability) come from this source. */
const INVENTORY = 'inventory';

/** Names Causeway gives its own sources of messages and documents. */
const RESERVED_ENDPOINTS: Readonly<Record<string, string>> = {
  [API]: 'the API, which documents sent to POST /v1/documents come in through',
  [INVENTORY]: 'Causeway\'s own inventory documents (availability, approved corrections)',
  causeway: 'the source of the order statuses the rules send on their own',
};

/** One endpoint as the checks see it; spec and settings are absent when its own section is already at fault. */
interface EndpointView {
  name: string;
  type: string;
  tenant: string;
  spec?: EndpointSpec;
  settings?: unknown;
  codecName: string;
  codec?: Codec;
}

export function checkConfig(loaded: LoadedConfig): ConfigCheck {
  const { config } = loaded;
  const errors: CausewayError[] = [];
  const warnings: CausewayError[] = [];
  for (const name of Object.keys(config.endpoints)) {
    const own = RESERVED_ENDPOINTS[name];
    if (own) errors.push(invalid(`$.endpoints.${name}`, `"${name}" is the name of ${own}; an endpoint of that name would be taken for it (its messages, the flows from it): name it otherwise`));
  }
  const endpoints = new Map(Object.keys(config.endpoints).map((name) => [name, viewOf(loaded, name)]));
  for (const ep of endpoints.values()) {
    errors.push(...checkEndpoint(ep, loaded));
    const inward = checkOutboundAddress(ep, config);
    if (inward) warnings.push(inward);
  }
  for (const [i, ch] of config.alerts.channels.entries()) {
    const refused = ch.type === 'webhook' ? refusedUrl(ch.url, `alert channel ${ch.name}`, ch.allowPrivateNetworks, config, `$.alerts.channels[${i}].url`) : undefined;
    if (refused) warnings.push(refused);
  }
  for (const [i, rule] of config.alerts.rules.entries()) {
    // A misspelt endpoint matches nothing: the rule would never fire, and nobody would know.
    const endpoint = 'endpoint' in rule ? rule.endpoint : undefined;
    if (endpoint !== undefined && endpoint !== API && !endpoints.has(endpoint)) {
      errors.push(invalid(`$.alerts.rules[${i}].endpoint`, `no endpoint named "${endpoint}"; the ${rule.type} rule would never fire`));
    }
  }
  for (const [i, flow] of config.flows.entries()) checkFlow(flow, `$.flows[${i}]`, endpoints, config, errors, warnings);
  errors.push(...checkMappingSources(config));
  const invoices = checkInvoiceTarget(config.billing.sendTo, endpoints);
  if (invoices) errors.push(invalid('$.billing.sendTo', invoices));
  for (const [i, o] of config.outcomes.entries()) {
    const target = endpoints.get(o.to);
    if (!target) errors.push(invalid(`$.outcomes[${i}].to`, `no endpoint named "${o.to}"`));
    else if (target.spec?.canonicalOnly) errors.push(invalid(`$.outcomes[${i}].to`, `endpoint "${o.to}" (${target.type}) takes canonical documents only; a delivery_outcome event is not one`));
    else {
      const cannot = whyNotTarget(target);
      if (cannot) errors.push(invalid(`$.outcomes[${i}].to`, `endpoint "${o.to}" cannot take delivery_outcome events: ${cannot}`));
    }
    for (const [j, from] of (o.from ?? []).entries()) {
      if (!endpoints.has(from)) errors.push(invalid(`$.outcomes[${i}].from[${j}]`, `no endpoint named "${from}"`));
    }
  }
  const sinks = checkCodecs(config, endpoints, errors);
  errors.push(...checkRouting(config, endpoints));
  errors.push(...resolvePartnerTenants(config));
  errors.push(...checkRulesSettings(config.rules, config.flows));
  for (const p of Object.keys(config.rules.partners)) {
    if (!endpoints.has(p) && p !== API && !config.partners[p]) errors.push(invalid(`$.rules.partners.${p}`, `no endpoint or partner profile named "${p}"`));
  }
  return { errors, warnings, sinks };
}

/** Routing names facilities, endpoints and time zones: each must exist, or every routed order would fail. */
function checkRouting(config: CausewayConfig, endpoints: Map<string, EndpointView>): CausewayError[] {
  const out: CausewayError[] = [];
  const { facilities, skus, policyByChannel } = config.routing;
  for (const [code, f] of Object.entries(facilities)) {
    const at = `$.routing.facilities.${code}`;
    if (f.endpoint && !endpoints.has(f.endpoint)) out.push(invalid(`${at}.endpoint`, `no endpoint named "${f.endpoint}"`));
    if (!validTimeZone(f.timeZone)) out.push(invalid(`${at}.timeZone`, `unknown time zone "${f.timeZone}"`));
  }
  for (const [sku, r] of Object.entries(skus)) {
    for (const [i, code] of (r.onlyAt ?? []).entries()) {
      if (!Object.hasOwn(facilities, code)) out.push(invalid(`$.routing.skus.${sku}.onlyAt[${i}]`, `no facility "${code}" in routing.facilities`));
    }
  }
  for (const channel of Object.keys(policyByChannel)) {
    if (channel !== API && !endpoints.has(channel)) out.push(invalid(`$.routing.policyByChannel.${channel}`, `no endpoint named "${channel}"`));
  }
  return out;
}

function validTimeZone(tz: string): boolean {
  try { new Intl.DateTimeFormat('en-US', { timeZone: tz }); return true; } catch { return false; }
}

function viewOf(loaded: LoadedConfig, name: string): EndpointView {
  const { config, registry, endpointSettings } = loaded;
  const ep = config.endpoints[name]!;
  const spec = registry.endpoints.get(ep.type);
  const codecName = ep.codec ?? (spec ? defaultCodecOf(spec) : 'json');
  return {
    name, type: ep.type, tenant: ep.tenant ?? config.defaultTenant, spec, codecName, codec: registry.codecs.get(codecName),
    settings: Object.hasOwn(endpointSettings, name) ? endpointSettings[name] : undefined,
  };
}

function checkEndpoint(ep: EndpointView, loaded: LoadedConfig): CausewayError[] {
  const path = `$.endpoints.${ep.name}.codec`;
  if (!ep.spec) return [];
  if (!ep.codec) return [invalid(path, `no codec named "${ep.codecName}" (there are: ${[...loaded.registry.codecs.keys()].join(', ')})`)];
  // Such an endpoint parses what it is sent as its own codec writes it; another codec's bytes would fail every delivery.
  if (ep.spec.canonicalOnly && ep.codecName !== defaultCodecOf(ep.spec)) {
    return [invalid(path, `endpoints of type ${ep.type} take canonical documents as ${defaultCodecOf(ep.spec)}; leave the codec unset`)];
  }
  return [];
}

/** A field map's source paths against the document types of the flows that use it (unknownSources). */
function checkMappingSources(config: CausewayConfig): CausewayError[] {
  const typesOf = new Map<string, Set<DocumentType>>();
  for (const flow of config.flows) {
    if (!flow.mapping) continue;
    let types = typesOf.get(flow.mapping);
    if (!types) typesOf.set(flow.mapping, (types = new Set()));
    for (const t of flow.types) types.add(t as DocumentType);
  }
  const errors: CausewayError[] = [];
  for (const [name, types] of typesOf) {
    const mapping = config.mappings[name];
    if (!mapping || !('fields' in mapping)) continue;
    for (const f of unknownSources(mapping.fields, [...types])) errors.push(invalid(`$.mappings.${name}.fields.${f.at}`, f.message));
  }
  return errors;
}

function checkFlow(flow: FlowConfig, at: string, endpoints: Map<string, EndpointView>, config: CausewayConfig, errors: CausewayError[], warnings: CausewayError[]): void {
  if (flow.mapping && !config.mappings[flow.mapping]) errors.push(invalid(`${at}.mapping`, `no mapping named "${flow.mapping}"`));
  for (const [j, from] of (flow.from ?? []).entries()) {
    const source = endpoints.get(from);
    if (!source) {
      if (from !== API && from !== INVENTORY) errors.push(invalid(`${at}.from[${j}]`, `no endpoint named "${from}"`));
      continue;
    }
    const produced = typesOf(source, 'produces');
    // Harmless (nothing is routed wrongly) but almost always a slip: a warning, not a refusal.
    if (produced && !flow.types.some((t) => produced.includes(t))) {
      warnings.push({ code: 'CONFIG_FLOW_NEVER_MATCHES', path: `${at}.from[${j}]`, message: `flow ${flow.name} takes ${flow.types.join(', ')} from endpoint "${from}", which produces ${produced.join(', ') || 'nothing'} with its settings: nothing from it can match` });
    }
  }
  const target = endpoints.get(flow.to);
  if (!target) {
    errors.push(invalid(`${at}.to`, `no endpoint named "${flow.to}"`));
    return;
  }
  if (flow.tenant !== undefined && flow.tenant !== target.tenant) {
    errors.push(invalid(`${at}.tenant`, `flow ${flow.name} carries tenant ${flow.tenant}'s documents, but endpoint "${flow.to}" belongs to tenant ${target.tenant}; no document goes to another tenant's endpoint`));
  }
  const cannot = whyNotTarget(target);
  if (cannot) {
    errors.push(invalid(`${at}.to`, `flow ${flow.name} cannot deliver to endpoint "${flow.to}": ${cannot}`));
    return;
  }
  const canonicalOnly = target.spec?.canonicalOnly === true;
  if (canonicalOnly && flow.mapping) {
    errors.push(invalid(`${at}.mapping`, `flow ${flow.name}: endpoint "${flow.to}" (${target.type}) takes canonical documents only, as they are; a mapping may not reshape them`));
  }
  // A mapping may make anything of a document for a folder or a webhook; only what is sent as it is must be taken as it is.
  if (flow.mapping && !canonicalOnly) return;
  const accepted = typesOf(target, 'accepts');
  if (!accepted) return;
  for (const [k, type] of flow.types.entries()) {
    if (accepted.includes(type)) continue;
    const whose = declaredTypes(target.spec!.accepts, target.settings) === 'codec' ? `whose codec ${target.codecName} writes` : 'which takes';
    errors.push(invalid(`${at}.types[${k}]`, `flow ${flow.name} sends ${type} to endpoint "${flow.to}" (${target.type}), ${whose} ${accepted.join(', ')} only`));
  }
}

/**
 * An endpoint whose url names a loopback, private or other non-public address (an IP literal or
 * localhost) that the config does not allow: every request to it will be refused by the outbound
 * guard. A host name is judged when it is resolved, at each connection; only these can be told now.
 */
function checkOutboundAddress(ep: EndpointView, config: CausewayConfig): CausewayError | undefined {
  const url = (ep.settings as { url?: unknown } | undefined)?.url;
  return refusedUrl(url, ep.name, config.endpoints[ep.name]!.allowPrivateNetworks, config, `$.endpoints.${ep.name}.url`);
}

/** The same for an alert webhook channel: its URL passes the same guard. */
function refusedUrl(url: unknown, who: string, allowPrivateNetworks: boolean, config: CausewayConfig, path: string): CausewayError | undefined {
  if (typeof url !== 'string' || !/^https?:/i.test(url)) return undefined;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const address = host.toLowerCase() === 'localhost' || host.toLowerCase().endsWith('.localhost') ? '127.0.0.1' : host;
  if (!isIP(address)) return undefined;
  const refused = new OutboundGuard(who, { allowPrivateNetworks, allow: config.outbound.allow }).refusal(host, address);
  return refused && { code: 'CONFIG_OUTBOUND_REFUSED', path, message: `every request will be refused: ${refused.message}` };
}

/** Why billing.sendTo cannot receive invoice documents, or undefined when it can. */
function checkInvoiceTarget(to: string | undefined, endpoints: Map<string, EndpointView>): string | undefined {
  if (to === undefined) return undefined;
  const target = endpoints.get(to);
  if (!target) return `no endpoint named "${to}"`;
  const cannot = whyNotTarget(target);
  if (cannot) return `invoices cannot be sent to endpoint "${to}": ${cannot}`;
  const accepted = typesOf(target, 'accepts');
  if (accepted && !accepted.includes('invoice')) {
    const whose = declaredTypes(target.spec!.accepts, target.settings) === 'codec' ? `whose codec ${target.codecName} writes` : 'which takes';
    return `invoices cannot be sent to endpoint "${to}" (${target.type}), ${whose} ${accepted.join(', ')} only`;
  }
  return undefined;
}

/** Why an endpoint cannot be a target, or undefined when it can (or its own section is at fault already). */
function whyNotTarget(ep: EndpointView): string | undefined {
  if (!ep.spec || ep.settings === undefined) return undefined;
  if (!ep.spec.createSink) return `endpoints of type ${ep.type} are never targets`;
  if (!isTarget(ep.spec, ep.settings)) return `with these settings it takes no documents (docs/endpoints.md says what a ${ep.type} endpoint needs to be a target)`;
  return undefined;
}

/** The document types an endpoint produces or accepts with its settings and codec; undefined when that cannot be known. */
function typesOf(ep: EndpointView, role: 'produces' | 'accepts'): readonly string[] | undefined {
  if (!ep.spec || ep.settings === undefined) return undefined;
  const declared: DocumentTypes = declaredTypes(ep.spec[role], ep.settings);
  if (declared !== 'codec') return declared;
  if (!ep.codec) return undefined;
  return (role === 'produces' ? ep.codec.reads : ep.codec.writes) ?? DOCUMENT_TYPES;
}

/**
 * Each codec the config uses checks what concerns it (its options, the partner profiles it reads
 * with); the endpoints it says it sends to on its own must be able to take what it sends.
 */
function checkCodecs(config: CausewayConfig, endpoints: Map<string, EndpointView>, errors: CausewayError[]): string[] {
  const seen: CodecConfig = {
    endpoints: Object.fromEntries([...endpoints.values()].map((ep) => [ep.name, { codec: ep.codecName, tenant: ep.tenant, options: config.endpoints[ep.name]!.codecOptions ?? {} }])),
    partners: allPartners(config),
  };
  const sinks: string[] = [];
  for (const codec of new Set([...endpoints.values()].flatMap((ep) => (ep.codec ? [ep.codec] : [])))) {
    const checked = codec.checkConfig?.(seen);
    if (!checked) continue;
    errors.push(...checked.errors);
    for (const sink of checked.sinks) {
      const target = endpoints.get(sink.endpoint);
      const cannot = target && whyNotTarget(target);
      if (!target) errors.push(invalid(sink.path, `no endpoint named "${sink.endpoint}"`));
      else if (cannot) errors.push(invalid(sink.path, `endpoint "${sink.endpoint}" cannot take ${sink.carries}: ${cannot}`));
      else sinks.push(sink.endpoint);
    }
  }
  return sinks;
}

function invalid(path: string, message: string): CausewayError {
  return { code: 'CONFIG_INVALID', path, message };
}
