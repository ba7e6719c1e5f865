/**
 * Dates as bank exports write them: `2024-03-05`, `05.03.2024`, `3/5/2024`, `05/03/24`, `20240305`,
 * `05-Mar-2024`, `Mar 5, 2024`, `2017-04-25T03:15:53`. Day/month order of `05/03/2024` is decided for the
 * whole file (a value whose first part is > 12 proves D/M, a second part > 12 proves M/D) or by a mapping,
 * never row by row.
 */

export type DayMonthOrder = 'DM' | 'MD';

/** `readDate` results other than a date: unreadable, needs the day/month order, or contradicts it. */
export const DATE_INVALID = 0;
export const DATE_NEEDS_ORDER = 1;
export const DATE_CONFLICT = 2;
export type DateProblem = typeof DATE_INVALID | typeof DATE_NEEDS_ORDER | typeof DATE_CONFLICT;

const MONTHS: Readonly<Record<string, number>> = buildMonthTable();

function buildMonthTable(): Record<string, number> {
  const names: string[][] = [
    ['jan', 'january', 'januar', 'januari', 'janv', 'janvier', 'ene', 'enero', 'jaen', 'jaenner'],
    ['feb', 'february', 'februar', 'februari', 'fev', 'fevr', 'fevrier', 'febrero'],
    ['mar', 'march', 'maerz', 'marz', 'mrz', 'maart', 'mrt', 'mars', 'marzo'],
    ['apr', 'april', 'avr', 'avril', 'abr', 'abril'],
    ['may', 'mai', 'mei', 'mayo'],
    ['jun', 'june', 'juni', 'juin', 'junio'],
    ['jul', 'july', 'juli', 'juil', 'juillet', 'julio'],
    ['aug', 'august', 'augustus', 'aou', 'aout', 'ago', 'agosto'],
    ['sep', 'sept', 'september', 'septembre', 'septiembre', 'set', 'setiembre'],
    ['oct', 'october', 'okt', 'oktober', 'octobre', 'octubre'],
    ['nov', 'november', 'novembre', 'noviembre'],
    ['dec', 'december', 'dez', 'dezember', 'decembre', 'dic', 'diciembre'],
  ];
  const table: Record<string, number> = {};
  names.forEach((forms, index) => {
    for (const form of forms) table[form] = index + 1;
  });
  return table;
}

/** Month number of a month name in English, German, Dutch, French or Spanish ("Mär", "févr.", "Oct"); 0 if none. */
export function monthFromName(word: string): number {
  const key = word
    .normalize('NFD')
    .replace(/[\u0300-\u036f.]/g, '')
    .toLowerCase();
  return MONTHS[key] ?? 0;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isWordChar(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code >= 0x80;
}

function isSeparator(code: number): boolean {
  // . / - space ,
  return code === 46 || code === 47 || code === 45 || code === 32 || code === 44;
}

/** Distinct date texts remembered (a few years of days). */
const DATE_CACHE_SIZE = 4096;

const KIND_NONE = 0;
const KIND_YMD = 1;
const KIND_PAIR = 2;

/** The up-to-three tokens of a date: numbers with their digit counts, or a month word. */
class DateTokens {
  count = 0;
  readonly values = [0, 0, 0];
  readonly lengths = [0, 0, 0];
  readonly words: (string | null)[] = [null, null, null];
  /** The character after the first token ('.', '/', '-', ' ' …), 0 when none. */
  firstSeparator = 0;

  read(text: string): boolean {
    this.count = 0;
    this.firstSeparator = 0;
    const n = text.length;
    let i = 0;
    while (i < n && text.charCodeAt(i) === 32) i++;
    while (this.count < 3 && i < n) {
      const next = this.readToken(text, i);
      if (next < 0) return false;
      i = next;
      if (this.count === 3) break;
      if (this.count === 1 && i < n) this.firstSeparator = text.charCodeAt(i);
      while (i < n && isSeparator(text.charCodeAt(i))) i++;
    }
    return this.restIsTime(text, i);
  }

  private readToken(text: string, start: number): number {
    const n = text.length;
    const code = text.charCodeAt(start);
    let end = start + 1;
    const k = this.count;
    if (isDigit(code)) {
      let value = code - 48;
      while (end < n && isDigit(text.charCodeAt(end))) {
        value = value * 10 + text.charCodeAt(end) - 48;
        end++;
      }
      if (end - start > 8) return -1;
      this.values[k] = value;
      this.lengths[k] = end - start;
      this.words[k] = null;
    } else if (isWordChar(code)) {
      while (end < n && isWordChar(text.charCodeAt(end))) end++;
      if (end < n && text.charCodeAt(end) === 46) end++;
      this.words[k] = text.slice(start, end);
      this.lengths[k] = 0;
    } else {
      return -1;
    }
    this.count = k + 1;
    return end;
  }

  /** After the date part only a time may follow (`T03:15:53`, ` 16:00:10 ET`, `,12:00`). */
  private restIsTime(text: string, i: number): boolean {
    if (i >= text.length) return true;
    const code = text.charCodeAt(i);
    if (code === 84 /* T */ || code === 32 || code === 44 || code === 9) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) === 32) j++;
      return j >= text.length || isDigit(text.charCodeAt(j));
    }
    return false;
  }
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Two-digit years: 00-69 are 20xx, 70-99 are 19xx (bank exports are recent). */
function fullYear(value: number, digits: number): number {
  if (digits === 4) return value;
  if (digits === 2) return value < 70 ? 2000 + value : 1900 + value;
  return -1;
}

function allDigits(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

export function isoDate(year: number, month: number, day: number): string | null {
  if (year < 1900 || year > 2199 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return null;
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

/** `YYYY-MM-DD` (optionally followed by a time) as written, checked, without allocating a new string. */
function fastIso(text: string): string | null {
  if (text.length < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return null;
  if (text.length > 10 && text.charCodeAt(10) !== 84 && text.charCodeAt(10) !== 32) return null;
  if (!allDigits(text, 0, 4) || !allDigits(text, 5, 7) || !allDigits(text, 8, 10)) return null;
  const year =
    (text.charCodeAt(0) - 48) * 1000 + (text.charCodeAt(1) - 48) * 100 + (text.charCodeAt(2) - 48) * 10;
  const y = year + text.charCodeAt(3) - 48;
  const m = (text.charCodeAt(5) - 48) * 10 + text.charCodeAt(6) - 48;
  const d = (text.charCodeAt(8) - 48) * 10 + text.charCodeAt(9) - 48;
  if (isoDate(y, m, d) === null) return null;
  return text.length === 10 ? text : text.slice(0, 10);
}

/** A date format from a mapping: `DD.MM.YYYY`, `MM/DD/YYYY`, `YYYY-MM-DD`, `DD/MM/YY`, `YYYYMMDD`, `DD-MMM-YYYY`. */
export interface DateFormat {
  readonly source: string;
  /** Which part each token is, in order. */
  readonly parts: readonly ('D' | 'M' | 'Y')[];
  readonly widths: readonly number[];
  readonly monthName: boolean;
  /** True when the parts are written without separators (`YYYYMMDD`). */
  readonly packed: boolean;
}

/** Compiles a mapping's date format; returns an error message when it is not one we can read. */
export function compileDateFormat(source: string): DateFormat | string {
  const parts: ('D' | 'M' | 'Y')[] = [];
  const widths: number[] = [];
  let monthName = false;
  let separators = 0;
  const upper = source.toUpperCase();
  let i = 0;
  while (i < upper.length) {
    const ch = upper[i]!;
    let end = i + 1;
    while (end < upper.length && upper[end] === ch) end++;
    const width = end - i;
    if (ch === 'D' || ch === 'M' || ch === 'Y') {
      if (parts.includes(ch)) return `date format ${JSON.stringify(source)} names ${ch} twice`;
      if (ch === 'Y' && width !== 2 && width !== 4)
        return `date format ${JSON.stringify(source)}: year must be YY or YYYY`;
      if (ch !== 'Y' && width > (ch === 'M' ? 4 : 2))
        return `date format ${JSON.stringify(source)}: bad ${ch} width`;
      if (ch === 'M' && width >= 3) monthName = true;
      parts.push(ch);
      widths.push(width);
    } else if (isSeparator(ch.charCodeAt(0))) {
      separators += width;
    } else {
      return `date format ${JSON.stringify(source)}: unexpected ${JSON.stringify(ch)} (use D, M, Y and . / - space)`;
    }
    i = end;
  }
  if (parts.length !== 3) return `date format ${JSON.stringify(source)} must contain D, M and Y`;
  const packed = separators === 0;
  if (packed && (monthName || widths.some((w, k) => w !== (parts[k] === 'Y' ? w : 2)))) {
    return `date format ${JSON.stringify(source)}: without separators every part needs a fixed width (DD, MM, YY/YYYY)`;
  }
  return { source, parts, widths, monthName, packed };
}

/**
 * Reads the dates of one file. The day/month order is shared by every date column of the file that has no
 * format of its own, and once proven it is checked on every later value.
 */
export class DateReader {
  /** Day/month order: set by evidence, by `settleOrder` (fallback) or by a mapping format. */
  order: DayMonthOrder | null = null;
  /** The first value that proved the order, for messages. */
  orderProof: string | null = null;
  private readonly tokens = new DateTokens();
  private readonly caches = new Map<DateFormat | null, Map<string, string>>();
  private cacheOrder: DayMonthOrder | null = null;
  private lastText: string | null = null;
  private lastFormat: DateFormat | null = null;
  private lastDate = '';

  /** Reads `text` with the file's order, or with `format` when a mapping gives one. */
  read(text: string, format: DateFormat | null): string | DateProblem {
    // Exports repeat the same dates on many rows (and booking = value date): remember them, per format;
    // forgotten when the order changes.
    if (this.order !== this.cacheOrder) {
      this.caches.clear();
      this.cacheOrder = this.order;
      this.lastText = null;
    }
    if (text === this.lastText && format === this.lastFormat) return this.lastDate;
    let cache = this.caches.get(format);
    if (cache === undefined) {
      cache = new Map();
      this.caches.set(format, cache);
    }
    let date: string | DateProblem | undefined = cache.get(text);
    if (date === undefined) {
      date = this.readUncached(text, format);
      if (typeof date !== 'string' || this.order !== this.cacheOrder) return date;
      if (cache.size >= DATE_CACHE_SIZE) cache.clear();
      cache.set(text, date);
    }
    this.lastText = text;
    this.lastFormat = format;
    this.lastDate = date;
    return date;
  }

  private readUncached(text: string, format: DateFormat | null): string | DateProblem {
    if (format !== null) return this.readWithFormat(text, format);
    const iso = fastIso(text);
    if (iso !== null) return iso;
    const dmy = this.fastDayMonthYear(text);
    if (dmy !== null) return dmy;
    const tokens = this.tokens;
    if (!tokens.read(text)) return DATE_INVALID;
    return this.readTokens(text);
  }

  /**
   * `DD.MM.YYYY` (and `DD/MM/YYYY`, `MM/DD/YYYY` once the order is known) without the tokenizer; null
   * when the text has another shape or the value would teach the order (the tokenizer handles those).
   */
  private fastDayMonthYear(text: string): string | null {
    if (text.length !== 10) return null;
    const sep = text.charCodeAt(2);
    if (sep !== text.charCodeAt(5) || (sep !== 46 && sep !== 47 && sep !== 45)) return null;
    const order = this.order ?? (sep === 46 ? 'DM' : null);
    if (order === null) return null;
    if (!allDigits(text, 0, 2) || !allDigits(text, 3, 5) || !allDigits(text, 6, 10)) return null;
    const a = (text.charCodeAt(0) - 48) * 10 + text.charCodeAt(1) - 48;
    const b = (text.charCodeAt(3) - 48) * 10 + text.charCodeAt(4) - 48;
    const day = order === 'DM' ? a : b;
    const month = order === 'DM' ? b : a;
    // Values that prove an order go through the tokenizer, which records or checks the proof.
    if (a > 12 || b > 12) {
      if ((order === 'DM' ? a : b) <= 12 || this.order === null) return null;
    }
    const year =
      (text.charCodeAt(6) - 48) * 1000 +
      (text.charCodeAt(7) - 48) * 100 +
      (text.charCodeAt(8) - 48) * 10 +
      text.charCodeAt(9) -
      48;
    if (year < 1900 || year > 2199 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
      return null;
    return `${text.slice(6, 10)}-${order === 'DM' ? text.slice(3, 5) : text.slice(0, 2)}-${order === 'DM' ? text.slice(0, 2) : text.slice(3, 5)}`;
  }

  private readTokens(text: string): string | DateProblem {
    const t = this.tokens;
    if (t.count === 1) return t.lengths[0] === 8 ? packedYmd(t.values[0]!) : DATE_INVALID;
    if (t.count !== 3) return DATE_INVALID;
    const kind = this.classify();
    if (kind === KIND_YMD) return this.ymd();
    if (kind === KIND_PAIR) return this.pair(text);
    return this.named();
  }

  private classify(): number {
    const t = this.tokens;
    const [l0, l1, l2] = t.lengths;
    if (l0 === 4 && (l1 === 1 || l1 === 2 || t.words[1] !== null) && (l2 === 1 || l2 === 2)) return KIND_YMD;
    if ((l0 === 1 || l0 === 2) && (l1 === 1 || l1 === 2) && (l2 === 2 || l2 === 4)) return KIND_PAIR;
    return KIND_NONE;
  }

  private ymd(): string | DateProblem {
    const t = this.tokens;
    const word = t.words[1] ?? null;
    const month = word !== null ? monthFromName(word) : t.values[1]!;
    return isoDate(t.values[0]!, month, t.values[2]!) ?? DATE_INVALID;
  }

  /** `D Mon Y` and `Mon D Y`. */
  private named(): string | DateProblem {
    const t = this.tokens;
    const yearLength = t.lengths[2]!;
    const year = fullYear(t.values[2]!, yearLength);
    const [w0, w1, w2] = t.words;
    if ((w2 ?? null) !== null || year < 0) return DATE_INVALID;
    if (w1 && !w0 && t.lengths[0]! <= 2)
      return isoDate(year, monthFromName(w1), t.values[0]!) ?? DATE_INVALID;
    if (w0 && !w1 && t.lengths[1]! <= 2)
      return isoDate(year, monthFromName(w0), t.values[1]!) ?? DATE_INVALID;
    return DATE_INVALID;
  }

  /** `a/b/year` with the order unknown: learn from it, or apply the order already known. */
  private pair(text: string): string | DateProblem {
    const t = this.tokens;
    const a = t.values[0]!;
    const b = t.values[1]!;
    const year = fullYear(t.values[2]!, t.lengths[2]!);
    if (year < 0 || a < 1 || b < 1 || (a > 12 && b > 12)) return DATE_INVALID;
    const proves: DayMonthOrder | null = a > 12 ? 'DM' : b > 12 ? 'MD' : null;
    if (proves !== null) {
      if (this.order === null) {
        this.order = proves;
        this.orderProof = text;
      } else if (this.order !== proves) {
        return DATE_CONFLICT;
      }
    }
    if (a === b) return isoDate(year, a, b) ?? DATE_INVALID;
    // Dotted dates (05.03.2024) are day-first in every locale that writes them.
    const order = proves ?? this.order ?? (t.firstSeparator === 46 ? 'DM' : null);
    if (order === null) return DATE_NEEDS_ORDER;
    return (order === 'DM' ? isoDate(year, b, a) : isoDate(year, a, b)) ?? DATE_INVALID;
  }

  private readWithFormat(text: string, format: DateFormat): string | DateProblem {
    const t = this.tokens;
    if (!t.read(text)) return DATE_INVALID;
    let day = 0;
    let month = 0;
    let year = -1;
    if (format.packed) {
      const total = format.widths.reduce((sum, w) => sum + w, 0);
      if (t.count !== 1 || t.lengths[0] !== total) return DATE_INVALID;
      const digits = text.trim().slice(0, total);
      let offset = 0;
      for (let k = 0; k < 3; k++) {
        const width = format.widths[k]!;
        const value = toInt(digits.slice(offset, offset + width));
        offset += width;
        if (format.parts[k] === 'D') day = value;
        else if (format.parts[k] === 'M') month = value;
        else year = fullYear(value, width);
      }
    } else {
      if (t.count !== 3) return DATE_INVALID;
      for (let k = 0; k < 3; k++) {
        const part = format.parts[k];
        if (part === 'M' && format.monthName) {
          if (t.words[k] === null) return DATE_INVALID;
          month = monthFromName(t.words[k]!);
        } else if (t.words[k] !== null) {
          return DATE_INVALID;
        } else if (part === 'D') {
          day = t.values[k]!;
        } else if (part === 'M') {
          month = t.values[k]!;
        } else {
          if (t.lengths[k] !== format.widths[k]) return DATE_INVALID;
          year = fullYear(t.values[k]!, t.lengths[k]!);
        }
      }
    }
    return isoDate(year, month, day) ?? DATE_INVALID;
  }

  /**
   * Among values still waiting for the order, the one under which the dates are monotonic (exports are
   * sorted by date); null when both or neither are.
   */
  static orderFromSequence(values: readonly string[]): DayMonthOrder | null {
    const probe = new DateReader();
    const sequences: Record<DayMonthOrder, string[]> = { DM: [], MD: [] };
    for (const order of ['DM', 'MD'] as const) {
      probe.order = order;
      for (const value of values) {
        const read = probe.read(value, null);
        if (typeof read === 'string') sequences[order].push(read);
      }
    }
    const dm = isMonotonic(sequences.DM);
    const md = isMonotonic(sequences.MD);
    if (dm === md) return null;
    return dm ? 'DM' : 'MD';
  }
}

function isMonotonic(dates: readonly string[]): boolean {
  let up = true;
  let down = true;
  for (let i = 1; i < dates.length; i++) {
    if (dates[i]! < dates[i - 1]!) up = false;
    if (dates[i]! > dates[i - 1]!) down = false;
  }
  return up || down;
}

function toInt(digits: string): number {
  let value = 0;
  for (let i = 0; i < digits.length; i++) {
    const code = digits.charCodeAt(i);
    if (!isDigit(code)) return -1;
    value = value * 10 + code - 48;
  }
  return value;
}

/** `YYYYMMDD` written as one number. */
function packedYmd(value: number): string | DateProblem {
  const year = Math.floor(value / 10000);
  const month = Math.floor(value / 100) % 100;
  return isoDate(year, month, value % 100) ?? DATE_INVALID;
}
