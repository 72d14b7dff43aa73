/** Quiet hours as the config gives them: from and to as HH:MM in a time zone; to before from spans midnight. */
export interface QuietHours {
  from: string;
  to: string;
  timeZone: string;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `at` falls within the quiet hours, read on the wall clock of their time zone. */
export function isQuiet(q: QuietHours | undefined, at: number): boolean {
  if (!q) return false;
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: q.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(at));
  const now = Number(parts.find((p) => p.type === 'hour')!.value) * 60 + Number(parts.find((p) => p.type === 'minute')!.value);
  const from = minutesOf(q.from);
  const to = minutesOf(q.to);
  if (from === to) return false;
  return from < to ? now >= from && now < to : now >= from || now < to;
}
