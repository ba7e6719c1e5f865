/**
 * Locale amounts as banks write them in CSV exports: `1.234,56`, `1,234.56`, `-1 234,56`, `(1,234.56)`,
 * `1234,56-`, `- $1,150.00`, `EUR 12,50`, `12.50 CR`. Everything is done on the characters: the result is
 * an exact decimal string, never a float.
 */

export type DecimalSeparator = ',' | '.';

/** An amount read exactly: `text` is the normalized signed decimal ("-1234.56"), `scale` its fraction digits. */
export interface ExactAmount {
  text: string;
  scale: number;
}

/** The amount as an integer at `scale` fraction digits (scale >= amount.scale): for exact sums. */
export function scaledBigInt(amount: ExactAmount, scale: number): bigint {
  const text = amount.text;
  const digits =
    amount.scale > 0
      ? text.slice(0, text.length - amount.scale - 1) + text.slice(text.length - amount.scale)
      : text;
  const value = BigInt(digits);
  return scale === amount.scale ? value : value * 10n ** BigInt(scale - amount.scale);
}

/** Formats an integer at `scale` fraction digits as a decimal string. */
export function formatScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

const ZERO = 48;
const NINE = 57;

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

/** Spaces that banks use to group thousands: space, no-break space, narrow no-break space, thin space. */
function isSpace(code: number): boolean {
  return code === 32 || code === 0xa0 || code === 0x202f || code === 0x2009 || code === 9;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/**
 * Symbols that may stand before or after the number: `$ € £ ¥ ₹ ₣`, and any non-ASCII character, because
 * a UTF-8 `€` read byte-wise is three latin1 characters.
 */
function isCurrencySymbol(code: number): boolean {
  return code === 36 || code >= 0x80;
}

/** Indicator words written after an amount: CR/C/H(aben) are money in, DR/DB/D/S(oll) money out. */
function indicatorSign(word: string): 1 | -1 | 0 {
  const lower = word.toLowerCase();
  if (lower === 'cr' || lower === 'c' || lower === 'h') return 1;
  if (lower === 'dr' || lower === 'db' || lower === 'd' || lower === 's') return -1;
  return 0;
}

class AmountScanner {
  private intPart = '';
  private fraction = '';
  private inFraction = false;
  private digitsSeen = false;
  private digitsClosed = false;
  private negative = false;
  private signSeen = false;
  private openParen = false;
  private closedParen = false;
  private lastGroupDigits = -1;

  constructor(
    private readonly text: string,
    private readonly decimal: DecimalSeparator,
    private readonly thousands: string | null,
  ) {}

  scan(): ExactAmount | null {
    const text = this.text;
    const n = text.length;
    let i = 0;
    while (i < n) {
      const code = text.charCodeAt(i);
      if (isDigit(code)) {
        i = this.readDigits(i);
        if (i < 0) return null;
        continue;
      }
      const next = this.readOther(code, i);
      if (next < 0) return null;
      i = next;
    }
    return this.result();
  }

  private readDigits(start: number): number {
    if (this.digitsClosed) return -1;
    const text = this.text;
    let end = start + 1;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    const run = text.slice(start, end);
    if (this.inFraction) {
      if (this.fraction.length > 0) return -1;
      this.fraction = run;
    } else {
      if (this.lastGroupDigits >= 0 && run.length !== 3) return -1;
      this.intPart = this.intPart.length === 0 ? run : this.intPart + run;
    }
    this.digitsSeen = true;
    return end;
  }

  /** Handles every non-digit character; returns the next index or -1 when the text is not an amount. */
  private readOther(code: number, i: number): number {
    const text = this.text;
    const ch = text[i]!;
    const prevDigit = i > 0 && isDigit(text.charCodeAt(i - 1));
    const nextDigit = i + 1 < text.length && isDigit(text.charCodeAt(i + 1));
    if (ch === this.decimal && !this.digitsClosed) {
      if (this.inFraction) return -1;
      this.inFraction = true;
      return i + 1;
    }
    if (this.isThousands(ch, code) && prevDigit && nextDigit && !this.inFraction && !this.digitsClosed) {
      if (this.lastGroupDigits < 0 && this.intPart.length > 3) return -1;
      this.lastGroupDigits = 0;
      return i + 1;
    }
    if (ch === '-' || code === 0x2212 || ch === '+') return this.readSign(ch === '+', i);
    if (ch === '(') {
      if (this.digitsSeen || this.openParen) return -1;
      this.openParen = true;
      return i + 1;
    }
    if (ch === ')') {
      if (!this.openParen || !this.digitsSeen || this.closedParen) return -1;
      this.closedParen = true;
      this.closeDigits();
      return i + 1;
    }
    if (isSpace(code) || isCurrencySymbol(code)) {
      this.closeDigits();
      return i + 1;
    }
    if (isLetter(code)) return this.readWord(i);
    return -1;
  }

  private isThousands(ch: string, code: number): boolean {
    if (this.thousands !== null) return ch === this.thousands || (this.thousands === ' ' && isSpace(code));
    if (ch === this.decimal) return false;
    return ch === ',' || ch === '.' || ch === "'" || code === 0x2019 || isSpace(code);
  }

  private closeDigits(): void {
    if (this.digitsSeen) this.digitsClosed = true;
  }

  private readSign(positive: boolean, i: number): number {
    if (this.signSeen) return -1;
    this.signSeen = true;
    this.negative = !positive;
    this.closeDigits();
    return i + 1;
  }

  /**
   * A currency code (EUR, usd, CHF, kr) or a CR/DR indicator after the number; longer words are not
   * amounts, and a single letter is only an indicator suffix (`12,50 S`).
   */
  private readWord(start: number): number {
    const text = this.text;
    let end = start + 1;
    while (end < text.length && isLetter(text.charCodeAt(end))) end++;
    if (end - start > 3) return -1;
    const sign = indicatorSign(text.slice(start, end));
    if (sign === 0 && end - start === 1) return -1;
    if (sign !== 0) {
      if (!this.digitsSeen || this.signSeen) return -1;
      this.signSeen = true;
      this.negative = sign < 0;
    }
    this.closeDigits();
    return end;
  }

  private result(): ExactAmount | null {
    if (!this.digitsSeen) return null;
    if (this.openParen !== this.closedParen) return null;
    if (this.openParen) {
      if (this.signSeen) return null;
      this.negative = true;
    }
    let intPart = this.intPart;
    let k = 0;
    while (k < intPart.length - 1 && intPart.charCodeAt(k) === ZERO) k++;
    if (k > 0) intPart = intPart.slice(k);
    if (intPart.length === 0) intPart = '0';
    const fraction = this.fraction;
    const zero = isAllZero(intPart) && isAllZero(fraction);
    const sign = this.negative && !zero ? '-' : '';
    const text = fraction.length > 0 ? `${sign}${intPart}.${fraction}` : `${sign}${intPart}`;
    return { text, scale: fraction.length };
  }
}

function isAllZero(digits: string): boolean {
  for (let i = 0; i < digits.length; i++) if (digits.charCodeAt(i) !== ZERO) return false;
  return true;
}

/**
 * Reads an amount with a known decimal separator. Thousands separators (`.`/`,`, spaces, `'`) are accepted
 * between digit groups of three; `thousands` pins the one a mapping declares (`''` = none).
 * Returns null when the text is not an amount (the caller reports it with file, line and column).
 */
export function parseAmount(
  text: string,
  decimal: DecimalSeparator,
  thousands: string | null = null,
): ExactAmount | null {
  const pinned = thousands === '' ? '\u0000' : thousands;
  const groupCode =
    pinned === null ? (decimal === ',' ? 46 : 44) : pinned.length === 1 ? pinned.charCodeAt(0) : -1;
  return (
    plainAmount(text, decimal.charCodeAt(0), groupCode) ?? new AmountScanner(text, decimal, pinned).scan()
  );
}

/**
 * The common shape without allocation-heavy scanning: `[-]digits[group digits…][decimal digits]`, e.g.
 * `-1.234,56` or `1234.56`. Anything else (spaces, symbols, signs after, parentheses) returns null and
 * goes through the full scanner, which gives the same result for these shapes.
 */
function plainAmount(text: string, decimalCode: number, groupCode: number): ExactAmount | null {
  const n = text.length;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  const start = i;
  let groups = false;
  let run = 0;
  let point = -1;
  for (; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code >= ZERO && code <= NINE) {
      run++;
      continue;
    }
    if (code === groupCode && point < 0 && run > 0 && (groups ? run === 3 : run <= 3)) {
      groups = true;
      run = 0;
      continue;
    }
    if (code === decimalCode && point < 0 && run > 0 && (!groups || run === 3)) {
      point = i;
      run = 0;
      continue;
    }
    return null;
  }
  if (run === 0 || (groups && point < 0 && run !== 3)) return null;
  const intText = point < 0 ? text.slice(start) : text.slice(start, point);
  const intDigits = groups ? removeGroups(intText, groupCode) : intText;
  if (intDigits.length > 1 && intDigits.charCodeAt(0) === ZERO) return null;
  const fraction = point < 0 ? '' : text.slice(point + 1);
  const negative = start === 1 && !(isAllZero(intDigits) && isAllZero(fraction));
  if (!groups && (point < 0 || decimalCode === 46)) {
    // Already normalized: return the text itself (minus a sign on zero).
    return { text: start === 1 && !negative ? text.slice(1) : text, scale: fraction.length };
  }
  const body = fraction.length > 0 ? `${intDigits}.${fraction}` : intDigits;
  return { text: negative ? `-${body}` : body, scale: fraction.length };
}

function removeGroups(text: string, groupCode: number): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === groupCode) {
      out += text.slice(from, i);
      from = i + 1;
    }
  }
  return out + text.slice(from);
}

/**
 * What one written amount says about the decimal separator: `1.234,56` -> ",", `1,234.56` -> ".",
 * `12,5` -> ",", `1,234,567` -> "."; `1,234` or `1.234` say nothing (null), nor do integers.
 */
export function decimalEvidence(text: string): DecimalSeparator | null {
  let lastDot = -1;
  let lastComma = -1;
  let dots = 0;
  let commas = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46) {
      dots++;
      lastDot = i;
    } else if (code === 44) {
      commas++;
      lastComma = i;
    }
  }
  if (dots > 0 && commas > 0) return lastDot > lastComma ? '.' : ',';
  if (dots === 0 && commas === 0) return null;
  const sep = dots > 0 ? '.' : ',';
  if ((dots > 0 ? dots : commas) > 1) return sep === '.' ? ',' : '.';
  const at = dots > 0 ? lastDot : lastComma;
  return singleSeparatorEvidence(text, at, sep);
}

function singleSeparatorEvidence(text: string, at: number, sep: DecimalSeparator): DecimalSeparator | null {
  let after = 0;
  while (at + 1 + after < text.length && isDigit(text.charCodeAt(at + 1 + after))) after++;
  let before = 0;
  while (at - 1 - before >= 0 && isDigit(text.charCodeAt(at - 1 - before))) before++;
  if (after === 0 || before === 0) return after === 0 && before === 0 ? null : sep;
  if (after !== 3) return sep;
  // "0,123" or "1234,567" cannot be a thousands group.
  if (before > 3 || (before === 1 && text.charCodeAt(at - 1) === ZERO)) return sep;
  return null;
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * The amount as integer units at `scale` when that is a safe integer (at most 15 digits), else null.
 * Integer arithmetic below 2^53 is exact in a double; nothing here is a fractional float.
 */
function safeUnits(amount: ExactAmount, scale: number): number | null {
  const text = amount.text;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= ZERO && code <= NINE) {
      value = value * 10 + (code - ZERO);
      if (++digits > 15) return null;
    }
  }
  const pad = scale - amount.scale;
  if (pad > 0) {
    if (pad > 15) return null;
    value *= POWERS_OF_TEN[pad]!;
    if (!Number.isSafeInteger(value)) return null;
  }
  return text.charCodeAt(0) === 45 ? -value : value;
}

/**
 * An exact running sum of amounts at the largest scale seen: safe integers while they fit (the common
 * case, no allocation per row), BigInt beyond. Never floating-point arithmetic on fractions.
 */
export class ExactSum {
  private small = 0;
  private big: bigint | null = null;
  private currentScale = 0;

  get scale(): number {
    return this.currentScale;
  }

  add(amount: ExactAmount): void {
    if (amount.scale > this.currentScale) this.rescale(amount.scale);
    if (this.big === null) {
      const units = safeUnits(amount, this.currentScale);
      if (units !== null) {
        const next = this.small + units;
        if (Number.isSafeInteger(next)) {
          this.small = next;
          return;
        }
      }
      this.big = BigInt(this.small);
    }
    this.big += scaledBigInt(amount, this.currentScale);
  }

  /** The sum at its scale. */
  value(): bigint {
    return this.big ?? BigInt(this.small);
  }

  /** A cheap copy of the current value (number or bigint) for later `valueOf` at the then-current scale. */
  snapshot(): number | bigint {
    return this.big ?? this.small;
  }

  private rescale(scale: number): void {
    const factor = scale - this.currentScale;
    this.currentScale = scale;
    if (this.big === null && factor <= 15) {
      const next = this.small * POWERS_OF_TEN[factor]!;
      if (Number.isSafeInteger(next)) {
        this.small = next;
        return;
      }
    }
    this.big = (this.big ?? BigInt(this.small)) * 10n ** BigInt(factor);
  }
}
