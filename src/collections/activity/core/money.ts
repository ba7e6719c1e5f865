import { formatMinor, minorUnitExponent } from '../../../money/index.js';

/** "1,234.56 USD"-style text for reasons (plain decimal, no grouping: reasons are read and grepped). */
export const moneyText = (minor: number, currency: string): string =>
  `${formatMinor(minor, minorUnitExponent(currency))} ${currency}`;
