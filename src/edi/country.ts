// Both EDI engines keep a party's country only when it is an ISO 3166 alpha-2 code.

/** Whether `v` is two upper-case ASCII letters, the shape of an ISO 3166-1 alpha-2 code. */
export function isCountryCode(v: string): boolean {
  if (v.length !== 2) return false;
  const a = v.charCodeAt(0);
  const b = v.charCodeAt(1);
  return a >= 65 && a <= 90 && b >= 65 && b <= 90;
}
