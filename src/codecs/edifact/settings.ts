// What the EDIFACT codec knows of an endpoint: the EDIFACT partner profiles of its tenant (config
// `partners` entries with `standard: edifact`), parsed once at start, and the partner the endpoint
// reads and writes for. Plus the config checks only EDIFACT cares about.
import { z } from 'zod';
import { partnerProfileSchema, type PartnerProfile } from '../../edi/edifact/index.ts';
import { readProfilesWith } from '../../edi/partner-profile.ts';
import type { CausewayError } from '../../model/index.ts';
import type { CodecConfig, CodecEndpoint, CodecSink } from '../contract.ts';
import { ediSettings, type EdiSettings } from '../edi-common/index.ts';

const acknowledgments = partnerProfileSchema.shape.acknowledgments.unwrap().extend({
  endpoint: z.string().min(1).optional().meta({ description: 'The endpoint our CONTRLs and APERAKs to this partner are written to (an edifact endpoint)' }),
});

/**
 * An EDIFACT partner as the config holds it (`edifactPartners`): the engine's profile, with where
 * our acknowledgments go. `standard` marks it among all partner profiles, so that no X12 reader
 * takes it for one of its own.
 */
export const edifactPartnerSchema = partnerProfileSchema.safeExtend({
  standard: z.literal('edifact').default('edifact'),
  acknowledgments: acknowledgments.default({
    contrl: { send: true, requireRequest: true, expect: false, deadline: '24h' },
    aperak: { send: false, expect: false, deadline: '24h' },
  }),
});

export type EdifactPartner = PartnerProfile & { name: string; acknowledgments: PartnerProfile['acknowledgments'] & { endpoint?: string } };

/** The EDIFACT partner profiles of the endpoint's tenant (X12 profiles are left out), and the partner it names. */
export type EdifactSettings = EdiSettings<EdifactPartner>;

export const { configure: configureEdifact, settingsOf } = ediSettings((raw) => readProfilesWith(edifactPartnerSchema, raw) as Map<string, EdifactPartner>);

/** A partner's profile, only when it belongs to this tenant. */
export function profileFor(endpoint: CodecEndpoint<EdifactSettings>, partner: string | undefined, tenant: string): EdifactPartner | undefined {
  const profile = partner === undefined ? undefined : settingsOf(endpoint).profiles.get(partner);
  return profile && (profile.tenant === undefined || profile.tenant === tenant) ? profile : undefined;
}

/** Partners named by edifact endpoints exist and are EDIFACT profiles; CONTRLs have an edifact endpoint to go to. */
export function checkEdifactConfig(config: CodecConfig): { errors: CausewayError[]; sinks: CodecSink[] } {
  const errors: CausewayError[] = [];
  // Parsed afresh, not from the cache: the check runs before each profile's tenant is settled.
  const profiles = readProfilesWith(edifactPartnerSchema, config.partners) as Map<string, EdifactPartner>;
  const readBy = new Map<string, string>();
  for (const [name, ep] of Object.entries(config.endpoints)) {
    if (ep.codec !== 'edifact' || ep.options.partner === undefined) continue;
    const partner = ep.options.partner;
    if (typeof partner !== 'string' || !profiles.has(partner)) {
      errors.push({ code: 'CONFIG_INVALID', path: `$.endpoints.${name}.codecOptions.partner`, message: `no EDIFACT partner profile named ${JSON.stringify(partner)} under partners (an EDIFACT profile has standard: edifact)` });
    } else if (!readBy.has(partner)) readBy.set(partner, name);
  }
  const sinks: CodecSink[] = [];
  for (const [name, p] of profiles) {
    const ack = p.acknowledgments;
    const path = `$.edifactPartners.${name}.acknowledgments.endpoint`;
    if (ack.endpoint !== undefined && !config.endpoints[ack.endpoint]) {
      errors.push({ code: 'CONFIG_INVALID', path, message: `no endpoint named "${ack.endpoint}"` });
    } else if (ack.endpoint !== undefined && config.endpoints[ack.endpoint]!.codec !== 'edifact') {
      errors.push({ code: 'CONFIG_INVALID', path, message: `endpoint "${ack.endpoint}" must have codec edifact to carry CONTRLs` });
    } else if (ack.contrl.send && ack.endpoint === undefined && readBy.has(name)) {
      errors.push({ code: 'CONFIG_INVALID', path, message: `endpoint "${readBy.get(name)}" reads EDIFACT from ${name} and acknowledgments.contrl.send is true: name the endpoint CONTRLs are written to, or set contrl.send: false` });
    } else if (ack.aperak.send && ack.endpoint === undefined && readBy.has(name)) {
      errors.push({ code: 'CONFIG_INVALID', path, message: `endpoint "${readBy.get(name)}" reads EDIFACT from ${name} and acknowledgments.aperak.send is true: name the endpoint APERAKs are written to, or set aperak.send: false` });
    } else if ((ack.contrl.send || ack.aperak.send) && ack.endpoint !== undefined) {
      sinks.push({ endpoint: ack.endpoint, path, carries: ack.aperak.send ? 'our CONTRLs and APERAKs' : 'our CONTRLs' });
    }
  }
  return { errors, sinks };
}
