// Time formatting: strftime(3) in the C locale, bpftrace's %f/%k/%l extensions, time() and the
// ISO form used for timestamps.

/** The broken-down time strftime works on (local time unless `utc`). */
interface Tm {
  year: number;
  month: number; // 0..11
  day: number; // 1..31
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
  yearDay: number; // 0..365
  offsetMinutes: number; // east of UTC
  zone: string;
  epochSeconds: bigint;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

function zoneName(date: Date, utc: boolean): string {
  if (utc) return 'GMT';
  const tz = process.env['TZ'];
  if (tz === '' || tz === 'UTC' || tz === 'UTC0' || tz === ':UTC') return 'UTC';
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
      .formatToParts(date)
      .find((p) => p.type === 'timeZoneName');
    return part?.value ?? '';
  } catch {
    return '';
  }
}

function breakDown(epochSeconds: bigint, utc: boolean): Tm {
  const date = new Date(Number(epochSeconds) * 1000);
  const get = utc
    ? { y: date.getUTCFullYear(), mo: date.getUTCMonth(), d: date.getUTCDate(), h: date.getUTCHours(), mi: date.getUTCMinutes(), s: date.getUTCSeconds(), wd: date.getUTCDay() }
    : { y: date.getFullYear(), mo: date.getMonth(), d: date.getDate(), h: date.getHours(), mi: date.getMinutes(), s: date.getSeconds(), wd: date.getDay() };
  const startOfYear = Date.UTC(get.y, 0, 1);
  const yearDay = Math.round((Date.UTC(get.y, get.mo, get.d) - startOfYear) / 86_400_000);
  return {
    year: get.y,
    month: get.mo,
    day: get.d,
    hour: get.h,
    minute: get.mi,
    second: get.s,
    weekday: get.wd,
    yearDay,
    offsetMinutes: utc ? 0 : -date.getTimezoneOffset(),
    zone: zoneName(date, utc),
    epochSeconds,
  };
}

function pad(n: number, width: number, fill = '0'): string {
  const s = String(Math.abs(n));
  const body = s.length >= width ? s : fill.repeat(width - s.length) + s;
  return n < 0 ? '-' + body : body;
}

// ISO 8601 week-based year and week number (%G, %V).
function isoWeek(tm: Tm): { year: number; week: number } {
  const wday = (tm.weekday + 6) % 7; // Monday = 0
  let year = tm.year;
  let week = Math.floor((tm.yearDay - wday + 10) / 7);
  if (week < 1) {
    year -= 1;
    const prevDays = isLeap(year) ? 366 : 365;
    week = Math.floor((tm.yearDay + prevDays - wday + 10) / 7);
  } else {
    const days = isLeap(year) ? 366 : 365;
    if (week === 53 && tm.yearDay - wday + 3 >= days) {
      year += 1;
      week = 1;
    }
  }
  return { year, week };
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

// One conversion; `flag` is glibc's padding flag ('-' none, '_' spaces, '0' zeros) or '', and
// `width` an explicit field width (0 for the conversion's own).
function convert(c: string, tm: Tm, flag: string, width = 0): string | null {
  const num = (n: number, ownWidth: number, defaultFill = '0'): string => {
    if (flag === '-') return String(n);
    return pad(n, width || ownWidth, flag === '_' ? ' ' : flag === '0' ? '0' : defaultFill);
  };
  const hour12 = tm.hour % 12 === 0 ? 12 : tm.hour % 12;
  switch (c) {
    case 'a': return DAYS[tm.weekday]!.slice(0, 3);
    case 'A': return DAYS[tm.weekday]!;
    case 'b':
    case 'h': return MONTHS[tm.month]!.slice(0, 3);
    case 'B': return MONTHS[tm.month]!;
    case 'c': return `${convert('a', tm, '')} ${convert('b', tm, '')} ${num(tm.day, 2, ' ')} ${convert('T', tm, '')} ${tm.year}`;
    case 'C': return num(Math.floor(tm.year / 100), 2);
    case 'd': return num(tm.day, 2);
    case 'D': return `${pad(tm.month + 1, 2)}/${pad(tm.day, 2)}/${pad(tm.year % 100, 2)}`;
    case 'e': return num(tm.day, 2, ' ');
    case 'F': return `${pad(tm.year, 4)}-${pad(tm.month + 1, 2)}-${pad(tm.day, 2)}`;
    case 'g': return num(isoWeek(tm).year % 100, 2);
    case 'G': return String(isoWeek(tm).year);
    case 'H': return num(tm.hour, 2);
    case 'I': return num(hour12, 2);
    case 'j': return num(tm.yearDay + 1, 3);
    case 'k': return num(tm.hour, 2, ' ');
    case 'l': return num(hour12, 2, ' ');
    case 'm': return num(tm.month + 1, 2);
    case 'M': return num(tm.minute, 2);
    case 'n': return '\n';
    case 'p': return tm.hour < 12 ? 'AM' : 'PM';
    case 'P': return tm.hour < 12 ? 'am' : 'pm';
    case 'r': return `${pad(hour12, 2)}:${pad(tm.minute, 2)}:${pad(tm.second, 2)} ${tm.hour < 12 ? 'AM' : 'PM'}`;
    case 'R': return `${pad(tm.hour, 2)}:${pad(tm.minute, 2)}`;
    case 's': return tm.epochSeconds.toString();
    case 'S': return num(tm.second, 2);
    case 't': return '\t';
    case 'T': return `${pad(tm.hour, 2)}:${pad(tm.minute, 2)}:${pad(tm.second, 2)}`;
    case 'u': return String(tm.weekday === 0 ? 7 : tm.weekday);
    case 'U': return num(Math.floor((tm.yearDay + 7 - tm.weekday) / 7), 2);
    case 'V': return num(isoWeek(tm).week, 2);
    case 'w': return String(tm.weekday);
    case 'W': return num(Math.floor((tm.yearDay + 7 - ((tm.weekday + 6) % 7)) / 7), 2);
    case 'x': return `${pad(tm.month + 1, 2)}/${pad(tm.day, 2)}/${pad(tm.year % 100, 2)}`;
    case 'X': return `${pad(tm.hour, 2)}:${pad(tm.minute, 2)}:${pad(tm.second, 2)}`;
    case 'y': return num(tm.year % 100, 2);
    case 'Y': return String(tm.year);
    case 'z': {
      const sign = tm.offsetMinutes < 0 ? '-' : '+';
      const m = Math.abs(tm.offsetMinutes);
      return `${sign}${pad(Math.floor(m / 60), 2)}${pad(m % 60, 2)}`;
    }
    case 'Z': return tm.zone;
    case '%': return '%';
    default: return null;
  }
}

/**
 * strftime(3) in the C locale for a time in whole seconds since the epoch. Unknown conversions
 * are copied through, as glibc does.
 */
export function strftime(format: string, epochSeconds: bigint, options: { utc?: boolean } = {}): string {
  const tm = breakDown(epochSeconds, options.utc ?? false);
  const out: string[] = [];
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch !== '%' || i + 1 >= format.length) {
      out.push(ch);
      continue;
    }
    let j = i + 1;
    let flag = '';
    if ('-_0^#'.includes(format[j]!)) flag = format[j++]!;
    let width = 0;
    while (j < format.length && format[j]! >= '0' && format[j]! <= '9') width = width * 10 + Number(format[j++]);
    // The E and O modifiers select alternative locale forms, which the C locale does not have.
    if (format[j] === 'E' || format[j] === 'O') j++;
    const c = format[j];
    if (c === undefined) {
      out.push(format.slice(i));
      break;
    }
    let text = convert(c, tm, flag === '^' || flag === '#' ? '' : flag, width);
    if (text === null) {
      out.push(format.slice(i, j + 1));
    } else {
      if (text.length < width) text = (flag === '0' ? '0' : ' ').repeat(width - text.length) + text;
      out.push(flag === '^' ? text.toUpperCase() : text);
    }
    i = j;
  }
  return out.join('');
}

export const DEFAULT_TIME_FORMAT = '%H:%M:%S\n';

/**
 * The text of a bpftrace strftime() value: `%f` (microseconds), `%k` (nanoseconds) and `%l`
 * (milliseconds) are replaced first, zero-padded, then the rest goes through strftime. A time of
 * 0 seconds, or a result longer than `maxLength - 1` (config max_strlen), gives `(?)`.
 */
export function formatStrftime(
  format: string,
  epochNs: bigint,
  options: { utc?: boolean; maxLength?: number } = {},
): string {
  const seconds = epochNs / 1_000_000_000n;
  const rem = epochNs - seconds * 1_000_000_000n;
  if (seconds === 0n) return '(?)';
  const expanded = format
    .replaceAll('%f', (rem / 1000n).toString().padStart(6, '0'))
    .replaceAll('%k', rem.toString().padStart(9, '0'))
    .replaceAll('%l', (rem / 1_000_000n).toString().padStart(3, '0'));
  const text = strftime(expanded, seconds, options.utc === undefined ? {} : { utc: options.utc });
  const maxLength = options.maxLength ?? 1024;
  if (text.length === 0 || Buffer.byteLength(text) >= maxLength) return '(?)';
  return text;
}

/** The text time(fmt) prints: the current local time (at the event's processing). */
export function formatTimeBuiltin(format: string = DEFAULT_TIME_FORMAT, nowMs: number = Date.now()): string {
  return strftime(format, BigInt(Math.floor(nowMs / 1000)));
}

/** Timestamps in text output: local `%Y-%m-%dT%H:%M:%S` plus nine digits of nanoseconds. */
export function formatTimestampIso(epochNs: bigint): string {
  const seconds = epochNs / 1_000_000_000n;
  const ns = epochNs - seconds * 1_000_000_000n;
  return strftime('%Y-%m-%dT%H:%M:%S', seconds) + '.' + ns.toString().padStart(9, '0');
}
