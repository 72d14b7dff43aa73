// What an EDI codec knows of an endpoint: the partner profiles of its tenant, parsed once at start, and
// the partner it reads and writes for.
import type { CodecSetup } from '../contract.ts';

export interface EdiSettings<P> {
  /** The partner profiles of the endpoint's tenant, by name: an endpoint never reads or writes with another tenant's. */
  profiles: Map<string, P>;
  /** codecOptions.partner; absent: each interchange's partner is found by its sender. */
  partner?: string;
}

/** How a codec makes its settings: at start (configure) or, used on its own (a script, the command line), from its options. */
export interface EdiSettingsReader<P> {
  /** The profiles of a config section, parsed once per section object. */
  profilesOf(raw: unknown): Map<string, P>;
  configure(setup: CodecSetup): EdiSettings<P>;
  /** The settings configure made for the endpoint, else from codecOptions `partner` and `partnerProfiles`. */
  settingsOf(ctx: { settings?: EdiSettings<P>; options?: Record<string, unknown> }): EdiSettings<P>;
}

export function ediSettings<P>(readProfiles: (raw: object) => Map<string, P>): EdiSettingsReader<P> {
  const parsed = new WeakMap<object, Map<string, P>>();
  const profilesOf = (raw: unknown): Map<string, P> => {
    if (!raw || typeof raw !== 'object') return new Map();
    let p = parsed.get(raw);
    if (!p) parsed.set(raw, (p = readProfiles(raw)));
    return p;
  };
  const settings = (profiles: unknown, partner: unknown): EdiSettings<P> => ({ profiles: profilesOf(profiles), ...(typeof partner === 'string' ? { partner } : {}) });
  return {
    profilesOf,
    configure: (setup) => settings(setup.partners, setup.options.partner),
    settingsOf: (ctx) => ctx.settings ?? settings(ctx.options?.partnerProfiles, ctx.options?.partner),
  };
}
