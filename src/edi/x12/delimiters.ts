// Delimiters are not fixed by the standard: each interchange declares its own in the ISA segment.

export interface Delimiters {
  /** ISA char 4 (right after "ISA"). */
  element: string;
  /** ISA16. */
  component: string;
  /** ISA11 from version 00402 on; null before, where ISA11 is the standards id 'U'. */
  repetition: string | null;
  /** The character right after ISA16. */
  segment: string;
}

/** What we write unless a partner profile says otherwise: the delimiters most 3PLs expect. */
export const DEFAULT_DELIMITERS: Delimiters = Object.freeze({ element: '*', component: '>', repetition: '^', segment: '~' });

/** X12 basic character set letters and digits may never be delimiters: they occur in data. */
export function isAlphanumericCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** The reason a delimiter set cannot work, or null when it can. */
export function checkDelimiters(d: Delimiters): string | null {
  const all: Array<[string, string]> = [['element', d.element], ['component', d.component], ['segment', d.segment]];
  if (d.repetition !== null) all.push(['repetition', d.repetition]);
  for (const [name, ch] of all) {
    if (ch.length !== 1) return `the ${name} separator must be one character, found ${JSON.stringify(ch)}`;
    if (isAlphanumericCode(ch.charCodeAt(0))) return `the ${name} separator ${JSON.stringify(ch)} is a letter or digit, which data may contain`;
    if (ch === ' ') return `the ${name} separator is a space, which data may contain`;
  }
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      if (all[i]![1] === all[j]![1]) return `the ${all[i]![0]} and ${all[j]![0]} separators are both ${JSON.stringify(all[i]![1])}`;
    }
  }
  return null;
}

/** ISA11 is a repetition separator from 00402 on; before that it is the standards id, usually 'U'. */
export function repetitionFromIsa(isa11: string, isa12: string): string | null {
  if (isa12 < '00402' || isa11.length !== 1) return null;
  return isAlphanumericCode(isa11.charCodeAt(0)) ? null : isa11;
}
