/** Whether `now` is before a facility's carrier cut-off ("HH:MM" in its own time zone), read with Intl. */
const formats = new Map<string, Intl.DateTimeFormat>();

export function minutesOfDay(now: number, timeZone: string): number {
  let f = formats.get(timeZone);
  if (!f) formats.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  let hour = 0;
  let minute = 0;
  for (const p of f.formatToParts(now)) {
    if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
  }
  return hour * 60 + minute;
}

export function beforeCutoff(now: number, cutoff: string | undefined, timeZone: string): boolean {
  if (!cutoff) return true;
  const [h, m] = cutoff.split(':').map(Number) as [number, number];
  return minutesOfDay(now, timeZone) < h * 60 + m;
}
