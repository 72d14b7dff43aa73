/** Whether `now` is before a facility's carrier cut-off ("HH:MM" in its own time zone), read with Intl. */
const formats = new Map<string, Intl.DateTimeFormat>();

/** The last answer per time zone, by the minute: a batch of orders routed at one time asks Intl once per zone. */
const lastMinute = new Map<string, { minute: number; value: number }>();

export function minutesOfDay(now: number, timeZone: string): number {
  const minute = Math.floor(now / 60_000);
  const hit = lastMinute.get(timeZone);
  if (hit && hit.minute === minute) return hit.value;
  const value = localMinutes(now, timeZone);
  lastMinute.set(timeZone, { minute, value });
  return value;
}

function localMinutes(now: number, timeZone: string): number {
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
