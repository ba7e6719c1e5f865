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

interface GermanParts {
  purpose: string;
  name: string;
}

function readGerman(raw: string, from: number, entry: BankEntry): void {
  if (from === 3) entry.gvc = raw.slice(0, 3);
  const separator = raw.charAt(from);
  const parts: GermanParts = { purpose: '', name: '' };
  let code = -1;
  let start = -1;
  // Subfields `?NN value`; a separator not followed by two digits is part of the value.
  for (let i = from; i >= 0; i = raw.indexOf(separator, i + 1)) {
    const d1 = raw.charCodeAt(i + 1) - 48;
    const d2 = raw.charCodeAt(i + 2) - 48;
    if (!(d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9)) continue; // also NaN past the end
    if (code >= 0) applyGerman(code, raw.slice(start, i), parts, entry);
    code = d1 * 10 + d2;
    start = i + 3;
  }
  if (code >= 0) applyGerman(code, raw.slice(start), parts, entry);
  entry.counterparty.name = nonEmpty(parts.name);
  readSepaKeywords(parts.purpose, entry);
}

function applyGerman(code: number, value: string, parts: GermanParts, entry: BankEntry): void {
  if ((code >= 20 && code <= 29) || (code >= 60 && code <= 69)) parts.purpose += value;
  else if (code === 32 || code === 33) parts.name += value;
  else if (code === 0) entry.posting_text = value.trim();
  else if (code === 10) entry.prima_nota = value.trim();
  else if (code === 30) entry.counterparty.bank = nonEmpty(value);
  else if (code === 31) entry.counterparty.account = entry.counterparty.account ?? nonEmpty(value);
  else if (code === 38)
    entry.counterparty.account = nonEmpty(value) ?? entry.counterparty.account; // IBAN, where sent
  else if (code === 34) entry.text_key_extension = value.trim();
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

function packedTable(words: readonly string[]): Map<number, string> {
  return new Map(words.map((w) => [packLetters(w, 0, w.length), w]));
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
  if (plus >= 4) {
    const four = SEPA_KEYWORDS.get(packLetters(purpose, plus - 4, 4));
    if (four !== undefined) return four;
  }
  return plus >= 3 ? (SEPA_KEYWORDS.get(packLetters(purpose, plus - 3, 3)) ?? null) : null;
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
    else applySepa(key, purpose.slice(valueStart, keyStart).trim(), entry);
    key = next;
    valueStart = plus + 1;
  }
  if (key === null) {
    entry.remittance.text = nonEmpty(purpose);
    return;
  }
  applySepa(key, purpose.slice(valueStart).trim(), entry);
  if (entry.remittance.text === null && before > 0)
    entry.remittance.text = nonEmpty(purpose.slice(0, before));
}

function applySepa(key: string, value: string, entry: BankEntry): void {
  if (value.length === 0) return;
  switch (key) {
    case 'EREF':
      if (value !== 'NOTPROVIDED') {
        entry.end_to_end_id = value;
        entry.remittance.references.push(value);
      }
      return;
    case 'KREF':
      if (value !== 'NOTPROVIDED') entry.remittance.references.push(value);
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
    default:
      entry[SEPA_EXTRAS[key]!] = value;
  }
}

const SEPA_EXTRAS: Readonly<Record<string, string>> = {
  MREF: 'mandate_id',
  CRED: 'creditor_id',
  DEBT: 'debtor_id',
  ABWA: 'ultimate_debtor',
  ABWE: 'ultimate_creditor',
  COAM: 'compensation_amount',
  OAMT: 'original_amount',
  PURP: 'purpose_code',
};

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
  while (end < limit) {
    const c = raw.charCodeAt(end);
    if (c < 65 || c > 90) break;
    end++;
  }
  if (end - at - 1 < 3 || raw.charCodeAt(end) !== 47) return null;
  return KEYS.get(packLetters(raw, at + 1, end - at - 1)) ?? null;
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
    let value = raw.slice(valueStart, next);
    if (nextKey === null && value.endsWith('/')) value = value.slice(0, -1);
    party = applyKeyed(key, value.trim(), party, entry);
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
        entry.remittance.references.push(value);
      }
      break;
    case 'PREF':
    case 'KREF':
    case 'IREF':
      if (value !== 'NOTPROVIDED') entry.remittance.references.push(value);
      break;
    default: {
      const extra = KEYED_EXTRAS[key];
      if (extra !== undefined) entry[extra] = value;
    }
  }
  return null;
}

const KEYED_EXTRAS: Readonly<Record<string, string>> = {
  MARF: 'mandate_id',
  CSID: 'creditor_id',
  TRTP: 'transaction_type',
  TRCD: 'transaction_code',
  PURP: 'purpose_code',
  RTRN: 'return_reason',
};

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
    entry.remittance.text = nonEmpty(stripTrailingSlash(value.slice(6)));
    return;
  }
  if (value.startsWith('STRD/')) {
    const parts = stripTrailingSlash(value.slice(5)).split('/');
    const reference = (parts.length > 1 ? parts.slice(1).join('/') : (parts[0] ?? '')).trim();
    if (reference.length > 0) entry.remittance.references.push(reference);
    return;
  }
  entry.remittance.text = value;
}

function stripTrailingSlash(value: string): string {
  return value.endsWith('/') ? value.slice(0, -1) : value;
}

function nonEmpty(value: string): string | null {
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : null;
}
