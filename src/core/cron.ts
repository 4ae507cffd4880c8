/** The allowed range of each of the five cron fields, in order. */
const CRON_FIELDS: ReadonlyArray<{ min: number; max: number; names?: readonly string[] }> = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  {
    min: 1,
    max: 12,
    names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  },
  { min: 0, max: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

/**
 * Whether `text` is a standard five-field cron expression (minute hour day-of-month
 * month day-of-week) with lists, ranges, steps and month/weekday names, each value
 * inside its field's range. Schedules are checked here so a typo is refused at
 * `/config set` rather than silently never firing.
 */
export function isCronExpression(text: string): boolean {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== CRON_FIELDS.length) return false;
  return fields.every((field, i) => {
    const spec = CRON_FIELDS[i];
    return spec !== undefined && field.split(",").every((item) => isCronItem(item.toLowerCase(), spec));
  });
}

function isCronItem(item: string, spec: { min: number; max: number; names?: readonly string[] }): boolean {
  const match = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
  if (match === null) return false;
  const [, range = "", step] = match;
  if (step !== undefined && Number(step) < 1) return false;
  if (range === "*") return true;
  const bounds = range.split("-").map((value) => cronValue(value, spec));
  if (bounds.some((value) => value === null)) return false;
  const [from, to = from] = bounds as number[];
  return from !== undefined && to !== undefined && from <= to;
}

function cronValue(
  text: string,
  spec: { min: number; max: number; names?: readonly string[] },
): number | null {
  const named = spec.names?.indexOf(text) ?? -1;
  if (named >= 0) return named + (spec.names?.length === 12 ? 1 : 0);
  if (!/^\d+$/.test(text)) return null;
  const value = Number(text);
  return value >= spec.min && value <= spec.max ? value : null;
}
