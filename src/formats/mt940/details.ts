/**
 * The :86: "information to account owner" of a statement line, in the three dialects banks use:
 *  - German DFÜ/ZKA structure `GVC?00posting text?10prima nota?20..?29 purpose?30 BLZ/BIC?31 account
 *    ?32/?33 name?34 key?60..?63 more purpose` (also with `>` instead of `?`, as Triodos sends), whose
 *    purpose carries the SEPA keywords EREF+ KREF+ MREF+ CRED+ SVWZ+ … split across the 27-character
 *    subfields (so the subfields are concatenated before the keywords are split);
 *  - SWIFT-style keyed text `/TRTP/…/IBAN/…/BIC/…/NAME/…/REMI/…/EREF/…` (ABN AMRO, ING, Rabobank, Knab),
 *    where values may contain `/` and REMI may be `USTD//text/` or `STRD/CUR/reference/`;
 *  - plain text (mBank, Sberbank, Danske, old Dutch formats).
 * The parsers write straight into the entry (remittance, end_to_end_id, counterparty and extras such
 * as gvc, posting_text, mandate_id, creditor_id): this runs once per entry of a 1 GB file.
 */
import type { BankEntry } from '../model.js';
import { trimmedRange } from './values.js';

export type DetailDialect = 'german' | 'keyed' | 'plain';

/** The dialect of a :86: field, judged from the start of its text. */
export function detailDialect(text: string): DetailDialect {
  if (germanStart(text) >= 0) return 'german';
  return text.charCodeAt(0) === 47 /* / */ && keyAt(text, 0) !== null ? 'keyed' : 'plain';
}

/** Fills the entry's remittance, end_to_end_id, counterparty and extras from a :86: text. */
export function fillDetails(raw: string, dialect: DetailDialect, entry: BankEntry): void {
  if (dialect === 'german') {
    const separatorAt = germanStart(raw);
    if (separatorAt >= 0) {
      readGerman(raw, separatorAt, entry);
      return;
    }
  } else if (dialect === 'keyed' && raw.charCodeAt(0) === 47) {
    readKeyed(raw, entry);
    return;
  }
  entry.remittance.text = nonEmpty(raw);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Index of the first `?`/`>` of `GVC?NN…` or `?NN…`, or -1 when the text is not German-structured. */
function germanStart(text: string): number {
  let at = 0;
  if (isDigit(text.charCodeAt(0)) && isDigit(text.charCodeAt(1)) && isDigit(text.charCodeAt(2))) at = 3;
  const c = text.charCodeAt(at);
  if (c !== 63 /* ? */ && c !== 62 /* > */) return -1;
  return isDigit(text.charCodeAt(at + 1)) && isDigit(text.charCodeAt(at + 2)) ? at : -1;
}

// ---------------------------------------------------------------- German DFÜ / ZKA structure

/** The last business transaction code read: runs of entries share one ("166"), so it is not cut again. */
let lastGvc = '000';

/** `raw.slice(0, 3)`. */
function gvcOf(raw: string): string {
  const last = lastGvc;
  if (
    raw.charCodeAt(0) === last.charCodeAt(0) &&
    raw.charCodeAt(1) === last.charCodeAt(1) &&
    raw.charCodeAt(2) === last.charCodeAt(2)
  )
    return last;
  lastGvc = raw.slice(0, 3);
  return lastGvc;
}

function readGerman(raw: string, from: number, entry: BankEntry): void {
  if (from === 3) entry.gvc = gvcOf(raw);
  const separator = raw.charAt(from);
  const counterparty = entry.counterparty;
  let purpose = '';
  let name = '';
  let code = -1;
  let start = -1;
  // Subfields `?NN value`; a separator not followed by two digits is part of the value. The loop runs
  // once more at the end of the text (i < 0) to apply the last subfield.
  for (let i = from; ; i = raw.indexOf(separator, i + 1)) {
    let next = -1;
    if (i >= 0) {
      const d1 = raw.charCodeAt(i + 1) - 48;
      const d2 = raw.charCodeAt(i + 2) - 48;
      if (!(d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9)) continue; // also NaN past the end
      next = d1 * 10 + d2;
    }
    if (code >= 0) {
      // Values are cut from the text once (trimmed values straight from their range).
      const end = i >= 0 ? i : raw.length;
      if ((code >= 20 && code <= 29) || (code >= 60 && code <= 69)) purpose += raw.slice(start, end);
      else if (code === 32 || code === 33) name += raw.slice(start, end);
      else if (code === 0) entry.posting_text = trimmedRange(raw, start, end);
      else if (code === 10) entry.prima_nota = trimmedRange(raw, start, end);
      else if (code === 30) counterparty.bank = nonEmptyRange(raw, start, end);
      else if (code === 31) counterparty.account = counterparty.account ?? nonEmptyRange(raw, start, end);
      else if (code === 38)
        counterparty.account = nonEmptyRange(raw, start, end) ?? counterparty.account; // IBAN, where sent
      else if (code === 34) entry.text_key_extension = trimmedRange(raw, start, end);
    }
    if (i < 0) break;
    code = next;
    start = i + 3;
  }
  counterparty.name = nonEmpty(name);
  readSepaKeywords(purpose, entry);
}

/**
 * Packs 3 or 4 capital letters at `from` into a number (5 bits each), or -1: keyword lookups by
 * number avoid slicing and hashing a string at every `+` or `/` of the text.
 */
function packLetters(text: string, from: number, length: number): number {
  let packed = length;
  for (let i = from; i < from + length; i++) {
    const c = text.charCodeAt(i);
    if (!(c >= 65 && c <= 90)) return -1;
    packed = packed * 32 + (c - 64);
  }
  return packed;
}

/**
 * Keywords by packed number with a perfect hash: the table size is chosen so that `packed % size` differs
 * for every word, so a lookup is one modulo and one comparison (no Map hashing at every `+` or `/`).
 */
class PackedTable {
  private readonly size: number;
  private readonly packed: Int32Array;
  private readonly words: (string | null)[];

  constructor(words: readonly string[]) {
    const keys = words.map((w) => packLetters(w, 0, w.length));
    let size = words.length;
    while (new Set(keys.map((k) => k % size)).size !== keys.length) size++;
    this.size = size;
    this.packed = new Int32Array(size);
    this.words = new Array<string | null>(size).fill(null);
    words.forEach((word, i) => {
      const slot = keys[i]! % size;
      this.packed[slot] = keys[i]!;
      this.words[slot] = word;
    });
  }

  /** The word packed as `packed` (see packLetters), or null; -1 (not letters) finds nothing. */
  get(packed: number): string | null {
    if (packed < 0) return null;
    const slot = packed % this.size;
    return this.packed[slot] === packed ? this.words[slot]! : null;
  }
}

function packedTable(words: readonly string[]): PackedTable {
  return new PackedTable(words);
}

/** packLetters of 3 or 4 letters already packed without their length: adds the length in front. */
function withLength(packedLetters: number, length: number): number {
  return length === 3 ? 3 * 32768 + packedLetters : 4 * 1048576 + packedLetters;
}

const SEPA_KEYWORDS = packedTable([
  'EREF',
  'KREF',
  'MREF',
  'CRED',
  'DEBT',
  'SVWZ',
  'ABWA',
  'ABWE',
  'IBAN',
  'COAM',
  'OAMT',
  'PURP',
  'BIC',
]);

/** The SEPA keyword whose `+` is at `plus` ("EREF+", "BIC+"), or null. */
function sepaKeywordBefore(purpose: string, plus: number): string | null {
  if (plus < 3) return null;
  // The letters before the `+`, read once for both lengths: a 4-letter keyword is tried first.
  const c1 = purpose.charCodeAt(plus - 1) - 64;
  const c2 = purpose.charCodeAt(plus - 2) - 64;
  const c3 = purpose.charCodeAt(plus - 3) - 64;
  if (!(c1 >= 1 && c1 <= 26 && c2 >= 1 && c2 <= 26 && c3 >= 1 && c3 <= 26)) return null;
  const three = c3 * 1024 + c2 * 32 + c1;
  if (plus >= 4) {
    const c4 = purpose.charCodeAt(plus - 4) - 64;
    if (c4 >= 1 && c4 <= 26) {
      const four = SEPA_KEYWORDS.get(withLength(c4 * 32768 + three, 4));
      if (four !== null) return four;
    }
  }
  return SEPA_KEYWORDS.get(withLength(three, 3));
}

/** Splits the joined purpose on the SEPA keywords; without keywords the whole purpose is the text. */
function readSepaKeywords(purpose: string, entry: BankEntry): void {
  let key: string | null = null;
  let valueStart = 0;
  let before = -1;
  for (let plus = purpose.indexOf('+'); plus >= 0; plus = purpose.indexOf('+', plus + 1)) {
    const next = sepaKeywordBefore(purpose, plus);
    if (next === null) continue;
    const keyStart = plus - next.length;
    if (key === null) before = keyStart;
    else applySepa(key, trimmedRange(purpose, valueStart, keyStart), entry);
    key = next;
    valueStart = plus + 1;
  }
  if (key === null) {
    entry.remittance.text = nonEmpty(purpose);
    return;
  }
  applySepa(key, trimmedRange(purpose, valueStart, purpose.length), entry);
  if (entry.remittance.text === null && before > 0) entry.remittance.text = nonEmptyRange(purpose, 0, before);
}

function applySepa(key: string, value: string, entry: BankEntry): void {
  if (value.length === 0) return;
  switch (key) {
    case 'EREF':
      if (value !== 'NOTPROVIDED') {
        entry.end_to_end_id = value;
        addReference(entry, value);
      }
      return;
    case 'KREF':
      if (value !== 'NOTPROVIDED') addReference(entry, value);
      return;
    case 'SVWZ':
      entry.remittance.text = value;
      return;
    case 'IBAN':
      entry.counterparty.account = entry.counterparty.account ?? value;
      return;
    case 'BIC':
      entry.counterparty.bank = entry.counterparty.bank ?? value;
      return;
    // The extras by name (a fixed property store, not a lookup and a store by computed key).
    case 'MREF':
      entry.mandate_id = value;
      return;
    case 'CRED':
      entry.creditor_id = value;
      return;
    case 'DEBT':
      entry.debtor_id = value;
      return;
    case 'ABWA':
      entry.ultimate_debtor = value;
      return;
    case 'ABWE':
      entry.ultimate_creditor = value;
      return;
    case 'COAM':
      entry.compensation_amount = value;
      return;
    case 'OAMT':
      entry.original_amount = value;
      return;
    case 'PURP':
      entry.purpose_code = value;
      return;
  }
}

// ---------------------------------------------------------------- SWIFT-style /KEY/value/

/** Keys of the Dutch/SWIFT structured :86: (ABN AMRO, ING, Rabobank, Knab, ASN, Triodos new format). */
const KEYS = packedTable([
  'TRTP',
  'IBAN',
  'BIC',
  'NAME',
  'REMI',
  'EREF',
  'ORDP',
  'BENM',
  'CSID',
  'MARF',
  'CNTP',
  'ISDT',
  'RTRN',
  'ULTC',
  'ULTD',
  'ULTB',
  'PURP',
  'SVCL',
  'BBAN',
  'ADDR',
  'PREF',
  'IREF',
  'KREF',
  'TRCD',
  'OCMT',
  'CHGS',
  'EXCH',
  'ACCW',
  'BYOR',
  'NRTX',
  'RTYP',
  'RCID',
]);

/** The key of a `/KEY/` whose first slash is at `at`, when KEY is known (3 or 4 capital letters). */
function keyAt(raw: string, at: number): string | null {
  let end = at + 1;
  const limit = Math.min(raw.length, at + 6);
  let packed = 0;
  while (end < limit) {
    const c = raw.charCodeAt(end);
    if (c < 65 || c > 90) break;
    packed = packed * 32 + (c - 64);
    end++;
  }
  const length = end - at - 1;
  if (length < 3 || length > 4 || raw.charCodeAt(end) !== 47) return null;
  return KEYS.get(withLength(packed, length));
}

/**
 * Walks the pairs in order. A value runs to the next `/KEY/` with a known key, so values may contain
 * `/`; an empty value followed by sub-keys (`/ORDP//NAME/x`) gives ORDP "" then NAME "x", which is
 * how the party a NAME/IBAN/BIC belongs to is known.
 */
function readKeyed(raw: string, entry: BankEntry): void {
  let party: string | null = null;
  let at = 0;
  let key = keyAt(raw, 0);
  while (key !== null) {
    const valueStart = at + key.length + 2;
    let next = raw.length;
    let nextKey: string | null = null;
    for (let slash = raw.indexOf('/', valueStart); slash >= 0; slash = raw.indexOf('/', slash + 1)) {
      nextKey = keyAt(raw, slash);
      if (nextKey !== null) {
        next = slash;
        break;
      }
    }
    // The value without the closing `/` of the last pair, trimmed (cut from the text once).
    let end = next;
    if (nextKey === null && end > valueStart && raw.charCodeAt(end - 1) === 47) end--;
    party = applyKeyed(key, trimmedRange(raw, valueStart, end), party, entry);
    at = next;
    key = nextKey;
  }
}

/** Applies one pair; returns the party (ORDP, BENM, CNTP, ULTD…) that following NAME/IBAN/BIC belong to. */
function applyKeyed(key: string, value: string, party: string | null, entry: BankEntry): string | null {
  const counterparty = entry.counterparty;
  switch (key) {
    case 'ORDP':
    case 'BENM':
    case 'CNTP':
    case 'ULTC':
    case 'ULTD':
    case 'ULTB':
      if (key === 'CNTP' && value.length > 0) readRabobankCounterparty(value, entry);
      return key;
    case 'NAME':
      if (party === null || party === 'ORDP' || party === 'BENM' || party === 'CNTP') {
        counterparty.name = counterparty.name ?? nonEmpty(value);
      } else if (value.length > 0) {
        entry[party === 'ULTD' ? 'ultimate_debtor' : 'ultimate_creditor'] = value;
      }
      return party;
    case 'IBAN':
    case 'BBAN':
      counterparty.account = counterparty.account ?? nonEmpty(value);
      return party;
    case 'BIC':
      counterparty.bank = counterparty.bank ?? nonEmpty(value);
      return party;
    case 'ADDR':
      return party;
  }
  if (value.length === 0) return null;
  switch (key) {
    case 'REMI':
      readRemi(value, entry);
      break;
    case 'EREF':
      if (value !== 'NOTPROVIDED') {
        entry.end_to_end_id = value;
        addReference(entry, value);
      }
      break;
    case 'PREF':
    case 'KREF':
    case 'IREF':
      if (value !== 'NOTPROVIDED') addReference(entry, value);
      break;
    // The extras by name (a fixed property store, not a lookup and a store by computed key).
    case 'MARF':
      entry.mandate_id = value;
      break;
    case 'CSID':
      entry.creditor_id = value;
      break;
    case 'TRTP':
      entry.transaction_type = value;
      break;
    case 'TRCD':
      entry.transaction_code = value;
      break;
    case 'PURP':
      entry.purpose_code = value;
      break;
    case 'RTRN':
      entry.return_reason = value;
      break;
  }
  return null;
}

/** Rabobank `/CNTP/IBAN/BIC/NAME/CITY/`: positional sub-values. */
function readRabobankCounterparty(value: string, entry: BankEntry): void {
  const parts = value.split('/');
  const counterparty = entry.counterparty;
  counterparty.account = counterparty.account ?? nonEmpty(parts[0] ?? '');
  counterparty.bank = counterparty.bank ?? nonEmpty(parts[1] ?? '');
  counterparty.name = counterparty.name ?? nonEmpty(parts[2] ?? '');
}

/** `USTD//free text/`, `STRD/CUR/RF18…/` (structured creditor reference) or plain text. */
function readRemi(value: string, entry: BankEntry): void {
  if (value.startsWith('USTD//')) {
    let end = value.length;
    if (end > 6 && value.charCodeAt(end - 1) === 47) end--; // the closing `/`
    entry.remittance.text = nonEmptyRange(value, 6, end);
    return;
  }
  if (value.startsWith('STRD/')) {
    const parts = stripTrailingSlash(value.slice(5)).split('/');
    const reference = (parts.length > 1 ? parts.slice(1).join('/') : (parts[0] ?? '')).trim();
    if (reference.length > 0) addReference(entry, reference);
    return;
  }
  entry.remittance.text = value;
}

function stripTrailingSlash(value: string): string {
  return value.endsWith('/') ? value.slice(0, -1) : value;
}

/**
 * Appends a reference. Entries have one or two (EREF, KREF): arrays of exactly that size are made
 * instead of growing the entry's empty array (a push reserves room for 17).
 */
function addReference(entry: BankEntry, value: string): void {
  const remittance = entry.remittance;
  const references = remittance.references;
  if (references.length === 0) remittance.references = [value];
  else if (references.length === 1) remittance.references = [references[0]!, value];
  else references.push(value);
}

function nonEmpty(value: string): string | null {
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : null;
}

/** `nonEmpty(text.slice(from, to))`, cutting once. */
function nonEmptyRange(text: string, from: number, to: number): string | null {
  const trimmed = trimmedRange(text, from, to);
  return trimmed.length > 0 ? trimmed : null;
}
