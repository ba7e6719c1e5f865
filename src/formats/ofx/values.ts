/**
 * OFX values: amounts ("-80", "1234.56", "+12.00", ".50"; some non-US banks write "12,34") and
 * dates/times `YYYYMMDD[HHMMSS[.XXX]][[±h[:TZ]]]`. Readers return null instead of throwing so the
 * caller can raise a ParseError with the element path; amounts never pass through a float.
 */

export interface OfxAmount {
  negative: boolean;
  intDigits: string;
  fracDigits: string;
  /** The bank used a decimal comma ("12,34"): a tolerated deviation. */
  comma: boolean;
}

const MAX_DIGITS = 18;

export function readAmount(text: string): OfxAmount | null {
  let at = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 /* - */ || first === 43 /* + */) {
    negative = first === 45;
    at = 1;
  }
  let separator = -1;
  let comma = false;
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    if ((c === 46 || c === 44) && separator < 0) {
      separator = i;
      comma = c === 44;
      continue;
    }
    return null;
  }
  const intDigits = text.slice(at, separator >= 0 ? separator : text.length);
  const fracDigits = separator >= 0 ? text.slice(separator + 1) : '';
  if (intDigits.length + fracDigits.length === 0 || intDigits.length + fracDigits.length > MAX_DIGITS)
    return null;
  return { negative, intDigits: intDigits.length > 0 ? intDigits : '0', fracDigits, comma };
}

/** Decimal string with at least `exponent` decimals: "-80" → "-80.00"; zero is never signed. */
export function formatAmount(amount: OfxAmount, exponent: number): string {
  let int = amount.intDigits;
  let start = 0;
  while (start < int.length - 1 && int.charCodeAt(start) === 48) start++;
  if (start > 0) int = int.slice(start);
  let frac = amount.fracDigits;
  if (frac.length < exponent) frac = frac.padEnd(exponent, '0');
  const text = frac.length > 0 ? `${int}.${frac}` : int;
  if (!amount.negative) return text;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 49 && c <= 57) return `-${text}`;
  }
  return text;
}

function digit(text: string, at: number): number {
  const d = text.charCodeAt(at) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

function number(text: string, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) {
    const d = digit(text, i);
    if (d < 0) return -1;
    value = value * 10 + d;
  }
  return value;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The date part of an OFX date-time as YYYY-MM-DD, or null when it is not a real date. The time and
 * time zone are not interpreted (the date is the bank's local posting date); they must at least
 * look like a time: digits, '.', ':', '+', '-', '[', ']', letters of a zone name, spaces.
 */
export function readDate(text: string): string | null {
  if (text.length < 8) return null;
  const year = number(text, 0, 4);
  const month = number(text, 4, 2);
  const day = number(text, 6, 2);
  if (year < 1000 || month < 1 || month > 12 || day < 1) return null;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > (month === 2 && leap ? 29 : DAYS[month - 1]!)) return null;
  for (let i = 8; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ok =
      (c >= 48 && c <= 57) ||
      c === 46 ||
      c === 58 ||
      c === 43 ||
      c === 45 ||
      c === 91 ||
      c === 93 ||
      c === 32 ||
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122);
    if (!ok) return null;
  }
  return `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
}
