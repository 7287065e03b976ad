/** Time as the application sees it: one injected clock (tests move it), days in Europe/Paris. */
export type Clock = () => Date;

const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar day (`YYYY-MM-DD`) in France at that instant: delegation periods are in days. */
export const parisDay = (at: Date) => dayFormat.format(at);

export const addMinutes = (at: Date, minutes: number) => new Date(at.getTime() + minutes * 60_000);

/** `YYYY-MM-DD` that names a real day. */
export function isDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

export const frenchDay = (day: string) => {
  const [year, month, date] = day.split('-');
  return `${date}/${month}/${year}`;
};

export const frenchDateTime = (iso: string) =>
  new Date(iso).toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' });
