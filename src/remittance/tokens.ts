/**
 * What a document number looks like. Companies number invoices every way ("INV-1043", "1043",
 * "2024/0153", "SO-88812-A", "90012345"), so nothing is hard-coded: a token is a candidate when it is
 * letters, digits and separators with at least two digits, and is not a date, an amount, a time or an
 * e-mail address. Whether a candidate IS an invoice number is decided by where it stands (an invoice
 * column, or after "invoice"), never by its shape alone.
 */

/** A word that may be a document number, with where it stands in the text. */
export interface DocToken {
  text: string;
  index: number;
  end: number;
}

const TOKEN = /#?[A-Za-z0-9][A-Za-z0-9\-/_.#]*[A-Za-z0-9]|#?\d/g;

export function documentTokens(text: string): DocToken[] {
  const out: DocToken[] = [];
  for (const match of text.matchAll(TOKEN)) {
    let index = match.index ?? 0;
    let token = match[0];
    const end = index + token.length;
    const prev = text[index - 1] ?? ' ';
    const prevPrev = text[index - 2] ?? ' ';
    const next = text[end] ?? ' ';
    // Part of an e-mail address, a URL or an amount ("$1,200.00", "ap@acme.com", "www.acme.com").
    if (/[@$€£¥/\\]/.test(prev) || next === '@') continue;
    if (prev === '.' && /\w/.test(prevPrev)) continue;
    if (prev === ',' && /\d/.test(prevPrev) && /^\d{3}(?!\d)/.test(token)) continue;
    if (next === ',' && /^\d{1,3}$/.test(token) && /^\d{3}(?!\d)/.test(text.slice(end + 1))) continue;
    if (token.startsWith('#')) {
      token = token.slice(1);
      index += 1;
    }
    out.push({ text: token, index, end });
  }
  return out;
}

const DATE_SHAPES = [
  /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$/,
  /^\d{1,2}[-/.]\d{1,2}[-/.](?:\d{2}|\d{4})$/,
  /^\d{1,2}-[A-Za-z]{3,9}-\d{2,4}$/,
];

/**
 * True when the token could be a document number (its context decides whether it is one). In prose
 * two digits are required ("W-9" is a form); a document column may hold "A-1".
 */
export function isDocumentLike(token: string, minDigits = 2): boolean {
  if (token.length < 2 || token.length > 32) return false;
  const digits = token.replace(/\D/g, '').length;
  if (digits < minDigits) return false;
  if (DATE_SHAPES.some((p) => p.test(token))) return false;
  // Amounts and plain decimals ("1200.00", "12.5").
  if (/^\d+[.,]\d{1,2}$/.test(token)) return false;
  // Host names and file names: "acme.com", "remit.pdf".
  if (/[A-Za-z]{2,}\.[A-Za-z]{2,}/.test(token)) return false;
  // Times, ordinals, quantities and units: "10am", "2nd", "30days", "12kg", "24x7".
  if (/^\d+(?:am|pm|st|nd|rd|th|days?|hrs?|kg|lbs?|pcs|x\d+)$/i.test(token)) return false;
  if (/^(?:net|n)\d{2,3}$/i.test(token)) return false;
  // Currency glued to a number: "USD1200", "EUR500".
  if (/^(?:USD|EUR|GBP|CAD|AUD|CHF|JPY)\d+(?:[.,]\d+)?$/i.test(token)) return false;
  return /^[A-Za-z0-9][A-Za-z0-9\-/_.#]*[A-Za-z0-9]$|^\d+$/.test(token);
}

/** Letters and digits both: the shape of numbers that are worth reporting when their context is unclear. */
export function isAlphanumericReference(token: string): boolean {
  return /[A-Za-z]/.test(token) && token.replace(/\D/g, '').length >= 3 && token.length >= 4;
}

/** "CM-0007", "CN1234", "CR 55": a credit memo or credit note by its prefix. */
export function looksLikeCreditMemo(token: string): boolean {
  return /^(?:CM|CN|CRM|CRN|CR|CRED)[-_/#.]?\d/i.test(token);
}

/** "1043-1045": two numbers of the same length, the second larger and close: a range, not a number. */
export function looksLikeRange(token: string): boolean {
  const match = /^([A-Za-z]*[-_/]?)(\d+)-(\1)?(\d+)$/.exec(token);
  if (match === null) return false;
  const [from, to] = [match[2]!, match[4]!];
  if (from.length !== to.length) return false;
  const gap = Number(to) - Number(from);
  return gap > 0 && gap <= 200;
}

/**
 * The shape of a document number: letters kept, digit runs reduced to their length ("INV-1043" →
 * "INV-#4"), so tokens shaped like the invoices already found can be reported rather than ignored.
 */
export function shapeOf(token: string): string {
  return token.toUpperCase().replace(/\d+/g, (run) => `#${run.length}`);
}
