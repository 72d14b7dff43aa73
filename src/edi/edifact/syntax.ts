// Service characters: what separates components, elements, repetitions and segments, and what releases
// them. An interchange declares them in its UNA service string advice or takes the defaults.

export interface ServiceChars {
  /** UNA 4th character (default ':'). */
  component: string;
  /** UNA 5th character (default '+'). */
  element: string;
  /** UNA 6th character: the decimal mark written ('.' or ','); both are read. */
  decimal: string;
  /** UNA 7th character (default '?'); '' when the interchange has none. */
  release: string;
  /** UNA 8th character: the repetition separator in syntax version 4 (default '*'); reserved (a space) before. */
  repetition: string;
  /** UNA 9th character (default "'"). */
  segment: string;
}

/** Level A defaults (UNOA, UNOC, UNOY ... without UNA), syntax version 4 with its repetition separator. */
export const DEFAULT_SERVICE_CHARS: ServiceChars = Object.freeze({ component: ':', element: '+', decimal: '.', release: '?', repetition: '*', segment: "'" });

/**
 * Level B defaults (UNOB without UNA): the information separators IS1 (component), IS3 (element) and IS4
 * (segment), no release character. Recognised by an IS3 right after the UNB tag.
 */
export const LEVEL_B_SERVICE_CHARS: ServiceChars = Object.freeze({ component: '\x1f', element: '\x1d', decimal: '.', release: '', repetition: '\x19', segment: '\x1c' });

/** The repetition separator only exists from syntax version 4 on; before that the position is reserved. */
export function forVersion(chars: ServiceChars, version: number): ServiceChars {
  if (version >= 4) return chars;
  return chars.repetition === ' ' ? chars : { ...chars, repetition: ' ' };
}

/** Whether the repetition separator is active (syntax 4 and a non-space character). */
export function repeats(chars: ServiceChars): boolean {
  return chars.repetition !== ' ' && chars.repetition !== '';
}

function isAlphanumeric(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** The reason a set of service characters cannot work, or null when it can. */
export function checkServiceChars(s: ServiceChars): string | null {
  const all: Array<[string, string]> = [['component separator', s.component], ['data element separator', s.element], ['segment terminator', s.segment]];
  if (s.release !== '') all.push(['release character', s.release]);
  if (repeats(s)) all.push(['repetition separator', s.repetition]);
  for (const [name, ch] of all) {
    if (ch.length !== 1) return `the ${name} must be one character, found ${JSON.stringify(ch)}`;
    if (isAlphanumeric(ch.charCodeAt(0))) return `the ${name} ${JSON.stringify(ch)} is a letter or digit, which data may contain`;
    if (ch === ' ') return `the ${name} is a space, which data may contain`;
    if (ch.charCodeAt(0) > 0x7e) return `the ${name} ${JSON.stringify(ch)} is not an ASCII character; service characters must mean the same in every character set`;
  }
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      if (all[i]![1] === all[j]![1]) return `the ${all[i]![0]} and the ${all[j]![0]} are both ${JSON.stringify(all[i]![1])}`;
    }
  }
  if (s.decimal !== '.' && s.decimal !== ',') return `the decimal mark must be "." or ",", found ${JSON.stringify(s.decimal)}`;
  return null;
}

/**
 * Reads the nine characters of a UNA ('UNA' and six service characters). A UNA whose terminator is a line
 * break right after an apostrophe is one character short (UNA:+.?' then a newline, the reserved position
 * left out): read literally, every segment would end in a stray apostrophe. It is reported, and read as
 * the sender meant it, so the rest of the file can still be checked.
 */
export function readUna(una: string): { chars: ServiceChars; problem: string | null; short: boolean } {
  const [component, element, decimal, release, repetition, segment] = [una[3]!, una[4]!, una[5]!, una[6]!, una[7]!, una[8]!];
  if ((segment === '\n' || segment === '\r') && repetition === "'") {
    return {
      chars: { component, element, decimal, release, repetition: ' ', segment: "'" },
      problem: 'the UNA is one character short: its ninth character, the segment terminator, is a line break and the apostrophe before it sits in the reserved position; it was read as terminator',
      short: true,
    };
  }
  const chars: ServiceChars = { component, element, decimal, release: release === ' ' ? '' : release, repetition, segment };
  return { chars, problem: checkServiceChars(chars), short: false };
}

/** The UNA text for a set of service characters. */
export function writeUna(s: ServiceChars): string {
  return `UNA${s.component}${s.element}${s.decimal}${s.release || ' '}${repeats(s) ? s.repetition : ' '}${s.segment}`;
}

/** Whether these are the defaults, so a UNA may be left out. */
export function isDefault(s: ServiceChars, version: number): boolean {
  const d = forVersion(DEFAULT_SERVICE_CHARS, version);
  return s.component === d.component && s.element === d.element && s.decimal === d.decimal && s.release === d.release && s.segment === d.segment && (version < 4 || s.repetition === d.repetition);
}
