// Both EDI engines tell a barcode (GTIN-8 to GTIN-14) from other product ids by its digits.

/** Whether `v` is min to max ASCII digits and nothing else. */
export function isDigits(v: string, min: number, max: number): boolean {
  if (v.length < min || v.length > max) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
