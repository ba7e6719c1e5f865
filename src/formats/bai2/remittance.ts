/**
 * Best-effort extraction of cash-application data from 16/88 text. Banks write key/value tags into
 * the free text: `EREF: 123` (end-to-end reference), `REMI: INV 42` (remittance information),
 * `OBI:=INVOICE 123456` (originator-to-beneficiary information on wires), `TRID:` (transaction id),
 * `CREF:`, `RFB:`, and Goldman-style party tags (`DBNM`/`CRNM` names, `DACT`/`CACT` accounts,
 * `DABA`/`CABA` routing numbers, `DBIC`/`CBIC` BICs). The text itself is always kept whole; this only
 * adds references and counterparty fields next to it.
 *
 * A tag is an upper-case token of 2–5 letters/digits at the start of a piece or after a blank, `,`,
 * `;` or `/`, followed by `:` (optionally ` :` and `:=`). A value runs to the next tag or the end of
 * its piece (88 continuations are separate pieces). Scanned by hand: this runs for every entry.
 */
import type { Counterparty } from '../model.js';
import type { Direction } from './type-codes.js';

export class TagValues {
  eref: string | null = null;
  dbnm: string | null = null;
  crnm: string | null = null;
  dact: string | null = null;
  cact: string | null = null;
  daba: string | null = null;
  caba: string | null = null;
  dbic: string | null = null;
  cbic: string | null = null;
  constructor(readonly references: string[]) {}

  record(tag: number, value: string): void {
    switch (tag) {
      case EREF:
        this.eref ??= value;
        this.reference(value);
        return;
      case REMI:
      case OBI:
      case TRID:
      case CREF:
      case RFB:
        this.reference(value);
        return;
      case DBNM:
        this.dbnm ??= value;
        return;
      case CRNM:
        this.crnm ??= value;
        return;
      case DACT:
        this.dact ??= value;
        return;
      case CACT:
        this.cact ??= value;
        return;
      case DABA:
        this.daba ??= value;
        return;
      case CABA:
        this.caba ??= value;
        return;
      case DBIC:
        this.dbic ??= value;
        return;
      case CBIC:
        this.cbic ??= value;
        return;
    }
  }

  private reference(value: string): void {
    if (!this.references.includes(value)) this.references.push(value);
  }
}

/**
 * Extracts tags from the raw text pieces, or returns null when no piece contains a `:`.
 * `customerReference` (16 field) comes first in the references.
 */
export function extractTags(pieces: readonly string[], customerReference: string | null): TagValues | null {
  let values: TagValues | null = null;
  for (const piece of pieces) {
    const colon = piece.indexOf(':');
    if (colon < 0) continue;
    values ??= new TagValues(customerReferences(customerReference));
    scanPiece(piece, colon, values);
  }
  return values;
}

export function customerReferences(customerReference: string | null): string[] {
  if (customerReference === null) return [];
  return customerReference.length === 6 && customerReference.toUpperCase() === 'NONREF'
    ? []
    : [customerReference];
}

/** The other party of the entry: the debtor for a credit, the creditor for a debit. */
export function counterpartyOf(tags: TagValues | null, direction: Direction): Counterparty {
  if (tags === null || direction === 'unknown') return { name: null, account: null, bank: null };
  return direction === 'credit'
    ? { name: tags.dbnm, account: tags.dact, bank: tags.daba ?? tags.dbic }
    : { name: tags.crnm, account: tags.cact, bank: tags.caba ?? tags.cbic };
}

function scanPiece(piece: string, firstColon: number, values: TagValues): void {
  let keyStart = -1;
  let keyEnd = -1;
  let valueStart = 0;
  for (let colon = firstColon; colon >= 0; colon = piece.indexOf(':', colon + 1)) {
    const tokenEnd = colon > 0 && piece.charCodeAt(colon - 1) === 32 ? colon - 1 : colon;
    const tokenStart = tagTokenStart(piece, tokenEnd);
    if (tokenStart < 0) continue;
    if (keyStart >= 0) recordTag(piece, keyStart, keyEnd, valueStart, tokenStart, values);
    keyStart = tokenStart;
    keyEnd = tokenEnd;
    valueStart = colon + 1;
    if (piece.charCodeAt(valueStart) === 61) valueStart++; // ':='
  }
  if (keyStart >= 0) recordTag(piece, keyStart, keyEnd, valueStart, piece.length, values);
}

/** Records the value between `from` and `to` (trimmed) when the key is one of the known tags. */
function recordTag(
  piece: string,
  keyStart: number,
  keyEnd: number,
  from: number,
  to: number,
  values: TagValues,
): void {
  const length = keyEnd - keyStart;
  if (length < 3 || length > 4) return;
  let tag = 0;
  for (let i = keyStart; i < keyEnd; i++) tag = (tag << 8) | piece.charCodeAt(i);
  if (!isKnownTag(tag)) return;
  let start = from;
  let end = to;
  while (start < end && isBlank(piece.charCodeAt(start))) start++;
  while (end > start && isBlank(piece.charCodeAt(end - 1))) end--;
  if (end > start) values.record(tag, piece.slice(start, end));
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** A 3–4 letter tag packed into one integer (one byte per letter), so that matching allocates nothing. */
function tagCode(name: string): number {
  let code = 0;
  for (let i = 0; i < name.length; i++) code = (code << 8) | name.charCodeAt(i);
  return code;
}

const EREF = tagCode('EREF');
const REMI = tagCode('REMI');
const OBI = tagCode('OBI');
const TRID = tagCode('TRID');
const CREF = tagCode('CREF');
const RFB = tagCode('RFB');
const DBNM = tagCode('DBNM');
const CRNM = tagCode('CRNM');
const DACT = tagCode('DACT');
const CACT = tagCode('CACT');
const DABA = tagCode('DABA');
const CABA = tagCode('CABA');
const DBIC = tagCode('DBIC');
const CBIC = tagCode('CBIC');

function isKnownTag(tag: number): boolean {
  switch (tag) {
    case EREF:
    case REMI:
    case OBI:
    case TRID:
    case CREF:
    case RFB:
    case DBNM:
    case CRNM:
    case DACT:
    case CACT:
    case DABA:
    case CABA:
    case DBIC:
    case CBIC:
      return true;
    default:
      return false;
  }
}

/** Start of an upper-case tag token of 2–5 characters ending at `end`, or -1. */
function tagTokenStart(piece: string, end: number): number {
  let i = end - 1;
  while (i >= 0 && end - i <= 5) {
    const c = piece.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 48 && c <= 57 && i < end - 1)) i--;
    else break;
  }
  const start = i + 1;
  const length = end - start;
  if (length < 2 || length > 5) return -1;
  const first = piece.charCodeAt(start);
  if (first < 65 || first > 90) return -1;
  if (start === 0) return start;
  const before = piece.charCodeAt(start - 1);
  return before === 32 || before === 9 || before === 44 || before === 59 || before === 47 ? start : -1;
}
