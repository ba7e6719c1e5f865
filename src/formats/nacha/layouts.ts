/**
 * NACHA transaction codes and SEC-code specifics (NACHA Operating Rules, Appendix Three). The sign convention
 * of the normalized model: credits (second digit 1-4) are +, debits (5-9) are −; ADV codes 81-88 alternate.
 */

/** Codes a domestic or IAT entry may carry: checking 2x, savings 3x, GL 4x, loan 5x. */
const ENTRY_CODES = new Set([
  '21',
  '22',
  '23',
  '24',
  '26',
  '27',
  '28',
  '29',
  '31',
  '32',
  '33',
  '34',
  '36',
  '37',
  '38',
  '39',
  '41',
  '42',
  '43',
  '44',
  '46',
  '47',
  '48',
  '49',
  '51',
  '52',
  '53',
  '54',
  '55',
  '56',
]);

/** ADV (automated accounting advice) codes: 81 credit originated, 82 debit originated, … 88 debit. */
const ADV_CODES = new Set(['81', '82', '83', '84', '85', '86', '87', '88']);

/** Prenotifications (3) and zero-dollar remittance entries (4): the amount must be zero. */
const ZERO_AMOUNT_CODES = new Set([
  '23',
  '24',
  '28',
  '29',
  '33',
  '34',
  '38',
  '39',
  '43',
  '44',
  '48',
  '49',
  '53',
  '54',
]);

/** Automated returns and notifications of change: 1 and 6 as second digit. */
const RETURN_CODES = new Set(['21', '26', '31', '36', '41', '46', '51', '56']);

export function isReturnOrNocCode(code: string): boolean {
  return RETURN_CODES.has(code);
}

export const SERVICE_CLASS_MIXED = '200';
export const SERVICE_CLASS_CREDITS = '220';
export const SERVICE_CLASS_DEBITS = '225';
export const SERVICE_CLASS_ADV = '280';

export const SERVICE_CLASSES = new Set([
  SERVICE_CLASS_MIXED,
  SERVICE_CLASS_CREDITS,
  SERVICE_CLASS_DEBITS,
  SERVICE_CLASS_ADV,
]);

/** SEC codes whose entries carry "number of addenda" (55-58) and a receiving company name (59-74). */
export const ADDENDA_COUNT_SECS = new Set(['CTX', 'ATX', 'TRX']);

/** SEC codes whose entries put the name in 40-54 and the identification in 55-76 (CIE). */
export const NAME_FIRST_SECS = new Set(['CIE']);

/** SEC codes whose Rules make the receiver's name (individual or receiving company) mandatory. */
export const REQUIRED_NAME_SECS = new Set(['PPD', 'CCD', 'CTX', 'WEB', 'TEL', 'CIE']);

/** Return reason codes of the NACHA Operating Rules: R01-R53, dishonored/contested R61-R77, IAT R80-R85. */
export function isReturnReasonCode(code: string): boolean {
  if (!/^R\d\d$/.test(code)) return false;
  const n = Number.parseInt(code.slice(1), 10);
  return (n >= 1 && n <= 53) || (n >= 61 && n <= 77) || (n >= 80 && n <= 85);
}

/** Change codes of notifications of change: C01-C14, refused NOCs C61-C69. */
export function isChangeCode(code: string): boolean {
  if (!/^C\d\d$/.test(code)) return false;
  const n = Number.parseInt(code.slice(1), 10);
  return (n >= 1 && n <= 14) || (n >= 61 && n <= 69);
}

/** "00".."99", so transaction codes are not cut out of every record. */
export const CODE_TEXT: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

const ENTRY_CODE_TABLE = CODE_TEXT.map((code) => ENTRY_CODES.has(code));
const ADV_CODE_TABLE = CODE_TEXT.map((code) => ADV_CODES.has(code));
const ZERO_AMOUNT_TABLE = CODE_TEXT.map((code) => ZERO_AMOUNT_CODES.has(code));
const RETURN_CODE_TABLE = CODE_TEXT.map((code) => RETURN_CODES.has(code));

/** `isReturnOrNocCode` of a transaction code read as a number (a table, no set lookup per entry). */
export function isReturnOrNocCodeValue(code: number): boolean {
  return RETURN_CODE_TABLE[code] === true;
}

export function isEntryCodeValue(code: number, adv: boolean): boolean {
  return (adv ? ADV_CODE_TABLE : ENTRY_CODE_TABLE)[code] === true;
}

export function isCreditCodeValue(code: number, adv: boolean): boolean {
  const second = code % 10;
  return adv ? second % 2 === 1 : second >= 1 && second <= 4;
}

export function requiresZeroAmountValue(code: number): boolean {
  return ZERO_AMOUNT_TABLE[code] === true;
}
