/**
 * FHIR `instant` text (`YYYY-MM-DDThh:mm:ssZ`) for epoch milliseconds, without a Date per call:
 * the date part is cached per day and the time part built from two-digit strings. The generator
 * formats several timestamps per resource, so this sits on its hot path.
 *
 * See: https://hl7.org/fhir/R4/datatypes.html#instant
 */
const DAY_MS = 86_400_000;
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

const dates = new Map<number, string>();

/** `YYYY-MM-DD` of a UTC day number (days since the epoch); at most one entry per day ever seen. */
function dateOf(day: number): string {
  let date = dates.get(day);
  if (date === undefined) {
    date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    dates.set(day, date);
  }
  return date;
}

/** Formats whole seconds of `ms` as a UTC FHIR instant. */
export function formatInstant(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  const s = Math.floor((ms - day * DAY_MS) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s - h * 3600) / 60);
  return `${dateOf(day)}T${TWO[h]}:${TWO[m]}:${TWO[s - h * 3600 - m * 60]}Z`;
}
