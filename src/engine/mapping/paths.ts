/** Paths in mappings: "shipTo.postalCode", "lines[0].sku". Parsed once, at compile time. */
const SEGMENT = /^[A-Za-z_$][\w$-]*$/;

export function parsePath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m || !SEGMENT.test(m[1])) throw new Error(`"${path}" is not a valid path (expected names joined by "." with optional [n] indexes)`);
    out.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** JavaScript for reading a path from a variable, every step optional. */
export function accessCode(variable: string, path: string): string {
  return variable + parsePath(path).map((s) => `?.[${JSON.stringify(s)}]`).join('');
}
