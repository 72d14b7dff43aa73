// What the X12 codec knows of an endpoint: the partner profiles of its tenant, parsed once at start,
// and the partner it reads and writes for. Plus the config checks only X12 cares about.
import { readProfiles, type PartnerProfile } from '../../edi/x12/index.ts';
import type { CausewayError } from '../../model/index.ts';
import type { CodecConfig, CodecEndpoint, CodecSink } from '../contract.ts';
import { ediSettings, type EdiSettings } from '../edi-common/index.ts';

export type X12Settings = EdiSettings<PartnerProfile>;

export const { configure: configureX12, settingsOf } = ediSettings(readProfiles);

/** A partner's profile, only when it belongs to this tenant: a tenant never acts in another's partner's name. */
export function profileFor(endpoint: CodecEndpoint<X12Settings>, partner: string | undefined, tenant: string): PartnerProfile | undefined {
  const profile = partner === undefined ? undefined : settingsOf(endpoint).profiles.get(partner);
  return profile?.tenant === tenant ? profile : undefined;
}

/**
 * Checks that go across config sections: partners named by endpoints exist, acknowledgments have
 * somewhere to go (an x12 endpoint, which the hub opens as a sink even when no flow targets it).
 */
export function checkX12Config(config: CodecConfig): { errors: CausewayError[]; sinks: CodecSink[] } {
  const errors: CausewayError[] = [];
  const readBy = new Map<string, string>();
  for (const [name, ep] of Object.entries(config.endpoints)) {
    const partner = ep.options.partner;
    if (partner === undefined) continue;
    if (typeof partner !== 'string' || !Object.hasOwn(config.partners, partner)) {
      errors.push({ code: 'CONFIG_INVALID', path: `$.endpoints.${name}.codecOptions.partner`, message: `no partner profile named ${JSON.stringify(partner)} under partners` });
    } else if (ep.codec === 'x12') readBy.set(partner, name);
  }
  const sinks: CodecSink[] = [];
  // Parsed afresh, not from the cache: the check runs before each profile's tenant is settled.
  for (const [name, p] of readProfiles(config.partners)) {
    const ack = p.acknowledgments;
    const path = `$.partners.${name}.acknowledgments.endpoint`;
    if (ack.endpoint !== undefined && !config.endpoints[ack.endpoint]) {
      errors.push({ code: 'CONFIG_INVALID', path, message: `no endpoint named "${ack.endpoint}"` });
    } else if (ack.endpoint !== undefined && config.endpoints[ack.endpoint]!.codec !== 'x12') {
      errors.push({ code: 'CONFIG_INVALID', path, message: `endpoint "${ack.endpoint}" must have codec x12 to carry 997s` });
    } else if (ack.send && ack.endpoint === undefined && readBy.has(name)) {
      errors.push({ code: 'CONFIG_INVALID', path, message: `endpoint "${readBy.get(name)}" reads X12 from ${name} and acknowledgments.send is true: name the endpoint 997s are written to, or set send: false` });
    } else if (ack.send && ack.endpoint !== undefined) {
      sinks.push({ endpoint: ack.endpoint, path, carries: 'our acknowledgments' });
    }
  }
  return { errors, sinks };
}
