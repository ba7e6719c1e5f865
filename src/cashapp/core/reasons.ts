/**
 * Deduction reasons a payer gives in words. Codes follow the usual retail deduction families; the
 * X12 ADX/CAS codes an 820 carries are kept as they come.
 */
const REASON_WORDS: [RegExp, string][] = [
  [/\bDAMAGE(D|S)?\b|\bBROKEN\b|\bDEFECT(IVE)?\b/, 'DAMAGED'],
  [/\bSHORT(AGE|[- ]?SHIP(PED|MENT)?)\b|\bNOT RECEIVED\b|\bMISSING\b/, 'SHORTAGE'],
  [/\bPRIC(E|ING)\b|\bOVERCHARGE(D)?\b/, 'PRICING'],
  [/\bPROMO(TION(AL)?)?\b|\bMARKDOWN\b|\bSCAN ?BACK\b/, 'PROMOTION'],
  [/\bFREIGHT\b|\bSHIPPING\b|\bDELIVERY CHARGE\b/, 'FREIGHT'],
  [/\bRETURN(S|ED)?\b|\bRMA\b/, 'RETURNS'],
  [/\bCO-?OP\b|\bADVERTIS(ING|EMENT)\b/, 'COOP'],
  [/\bTAX\b|\bVAT\b/, 'TAX'],
  [/\bCOMPLIANCE\b|\bCHARGEBACK\b|\bPENALTY\b|\bFINE\b|\bLATE DELIVERY\b/, 'COMPLIANCE'],
  [/\bDEDUCT(ION|ED)?\b|\bDISPUTE(D)?\b|\bCLAIM\b/, 'OTHER'],
];

/** The first deduction reason named in `text`, or null. */
export function deductionReasonIn(text: string | null): string | null {
  if (!text) return null;
  const upper = text.toUpperCase();
  for (const [pattern, code] of REASON_WORDS) if (pattern.test(upper)) return code;
  return null;
}
