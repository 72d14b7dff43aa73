import type { CausewayError } from '../model/index.ts';
import type { CausewayConfig } from './schema.ts';

/**
 * A partner profile (X12 or EDIFACT) belongs to one tenant: its control numbers, its acknowledgments, the
 * groups tracked for it are that tenant's. The tenant is the profile's `tenant`, else the tenant of
 * the endpoints that use it (read or write with it, or carry its acknowledgments), else the
 * default tenant. A profile used by endpoints of two tenants is refused: each tenant needs its own.
 * Resolves every profile's tenant in place; returns the faults.
 */
export function resolvePartnerTenants(config: CausewayConfig): CausewayError[] {
  const errors: CausewayError[] = [];
  for (const name of Object.keys(config.edifactPartners)) {
    if (Object.hasOwn(config.partners, name)) errors.push({ code: 'CONFIG_INVALID', path: `$.edifactPartners.${name}`, message: `partner ${name} is also an X12 profile under partners; a partner name names one profile` });
  }
  const partners = allPartners(config);
  const usedBy = new Map<string, Array<{ endpoint: string; tenant: string; path: string }>>();
  const use = (partner: unknown, endpoint: string, path: string) => {
    const ep = config.endpoints[endpoint];
    if (typeof partner !== 'string' || !partners[partner] || !ep) return;
    const list = usedBy.get(partner) ?? [];
    list.push({ endpoint, tenant: ep.tenant ?? config.defaultTenant, path });
    usedBy.set(partner, list);
  };
  for (const [name, ep] of Object.entries(config.endpoints)) use(ep.codecOptions?.partner, name, `$.endpoints.${name}.codecOptions.partner`);
  for (const [name, p] of Object.entries(partners)) {
    if (p.acknowledgments.endpoint !== undefined) use(name, p.acknowledgments.endpoint, `${pathOf(config, name)}.acknowledgments.endpoint`);
  }
  for (const [name, profile] of Object.entries(partners)) {
    const users = usedBy.get(name) ?? [];
    const tenants = [...new Set(users.map((u) => u.tenant))];
    if (profile.tenant !== undefined) {
      for (const u of users.filter((x) => x.tenant !== profile.tenant)) {
        errors.push({ code: 'CONFIG_INVALID', path: u.path, message: `endpoint "${u.endpoint}" belongs to tenant "${u.tenant}", but partner profile ${name} belongs to tenant "${profile.tenant}"` });
      }
    } else if (tenants.length > 1) {
      const who = users.map((u) => `${u.endpoint} (${u.tenant})`).join(', ');
      errors.push({ code: 'CONFIG_INVALID', path: pathOf(config, name), message: `partner profile ${name} is used by endpoints of several tenants: ${who}; a profile belongs to one tenant, so give each tenant its own` });
    } else profile.tenant = tenants[0] ?? config.defaultTenant;
  }
  return errors;
}

type AnyPartner = CausewayConfig['partners'][string] | CausewayConfig['edifactPartners'][string];

/** X12 and EDIFACT profiles in one record by name, the same object on every call: what codecs are shown. */
export function allPartners(config: CausewayConfig): Record<string, AnyPartner> {
  let all = merged.get(config.partners);
  if (!all) merged.set(config.partners, (all = { ...config.partners, ...config.edifactPartners }));
  return all;
}
const merged = new WeakMap<object, Record<string, AnyPartner>>();

function pathOf(config: CausewayConfig, name: string): string {
  return Object.hasOwn(config.edifactPartners, name) ? `$.edifactPartners.${name}` : `$.partners.${name}`;
}

const byTenant = new WeakMap<object, Map<string, Record<string, AnyPartner>>>();

/** The partner profiles (X12 and EDIFACT) of one tenant (after resolvePartnerTenants), the same object on every call. */
export function partnersOfTenant(config: CausewayConfig, tenant: string): Record<string, AnyPartner> {
  let cache = byTenant.get(config.partners);
  if (!cache) byTenant.set(config.partners, (cache = new Map()));
  let own = cache.get(tenant);
  if (!own) {
    own = Object.fromEntries(Object.entries(allPartners(config)).filter(([, p]) => (p.tenant ?? config.defaultTenant) === tenant));
    cache.set(tenant, own);
  }
  return own;
}
