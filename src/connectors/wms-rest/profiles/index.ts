import { profileSchema, type Profile, type ProfileInput } from '../profile.ts';
import { extensivProfile } from './extensiv.ts';
import { shipbobProfile } from './shipbob.ts';

/** The profiles Causeway ships, by the name an endpoint's `profile` setting gives. */
export const BUILT_IN_PROFILES: Readonly<Record<string, ProfileInput>> = {
  [extensivProfile.name]: extensivProfile,
  [shipbobProfile.name]: shipbobProfile,
};

export const BUILT_IN_PROFILE_NAMES = Object.keys(BUILT_IN_PROFILES) as [string, ...string[]];

const parsed = new Map<string, Profile>();

/** A built-in profile, checked against the profile schema once. */
export function builtInProfile(name: string): Profile | undefined {
  const input = BUILT_IN_PROFILES[name];
  if (!input) return undefined;
  let profile = parsed.get(name);
  if (!profile) {
    profile = profileSchema.parse(input);
    parsed.set(name, profile);
  }
  return profile;
}

export { extensivProfile, shipbobProfile };
