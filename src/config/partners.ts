import type { CausewayError } from '../model/index.ts';
import type { CausewayConfig } from './schema.ts';

/**
 * An X12 partner profile belongs to one tenant: its control numbers, its acknowledgments, the
 * groups tracked for it are that tenant's. The tenant is the profile's `tenant`, else the tenant of
 * the endpoints that use it (read or write with it, or carry its acknowledgments), else the
 * default tenant. A profile used by endpoints of two tenants is refused: each tenant needs its own.
 * Resolves every profile's tenant in place; returns the faults.
 */
export function resolvePartnerTenants(config: CausewayConfig): CausewayError[] {
  const errors: CausewayError[] = [];
  const usedBy = new Map<string, Array<{ endpoint: string; tenant: string; path: string }>>();
  const use = (partner: unknown, endpoint: string, path: string) => {
    const ep = config.endpoints[endpoint];
    if (typeof partner !== 'string' || !config.partners[partner] || !ep) return;
    const list = usedBy.get(partner) ?? [];
    list.push({ endpoint, tenant: ep.tenant ?? config.defaultTenant, path });
    usedBy.set(partner, list);
  };
  for (const [name, ep] of Object.entries(config.endpoints)) use(ep.codecOptions?.partner, name, `$.endpoints.${name}.codecOptions.partner`);
  for (const [name, p] of Object.entries(config.partners)) {
    if (p.acknowledgments.endpoint !== undefined) use(name, p.acknowledgments.endpoint, `$.partners.${name}.acknowledgments.endpoint`);
  }
  for (const [name, profile] of Object.entries(config.partners)) {
    const users = usedBy.get(name) ?? [];
    const tenants = [...new Set(users.map((u) => u.tenant))];
    if (profile.tenant !== undefined) {
      for (const u of users.filter((x) => x.tenant !== profile.tenant)) {
        errors.push({ code: 'CONFIG_INVALID', path: u.path, message: `endpoint "${u.endpoint}" belongs to tenant "${u.tenant}", but partner profile ${name} belongs to tenant "${profile.tenant}"` });
      }
    } else if (tenants.length > 1) {
      const who = users.map((u) => `${u.endpoint} (${u.tenant})`).join(', ');
      errors.push({ code: 'CONFIG_INVALID', path: `$.partners.${name}`, message: `partner profile ${name} is used by endpoints of several tenants: ${who}; a profile belongs to one tenant, so give each tenant its own` });
    } else profile.tenant = tenants[0] ?? config.defaultTenant;
  }
  return errors;
}

const byTenant = new WeakMap<object, Map<string, CausewayConfig['partners']>>();

/** The partner profiles of one tenant (after resolvePartnerTenants), the same object on every call. */
export function partnersOfTenant(config: CausewayConfig, tenant: string): CausewayConfig['partners'] {
  let cache = byTenant.get(config.partners);
  if (!cache) byTenant.set(config.partners, (cache = new Map()));
  let own = cache.get(tenant);
  if (!own) {
    own = Object.fromEntries(Object.entries(config.partners).filter(([, p]) => (p.tenant ?? config.defaultTenant) === tenant));
    cache.set(tenant, own);
  }
  return own;
}
