export const ACCOUNT_ROLES = [
  'ar_control',
  'cash',
  'unapplied_cash',
  'revenue',
  'discount',
  'write_off',
  'bad_debt',
  'fx_gain_loss',
] as const;

export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/** The chart a new company starts with; codes can be changed to match the GL it feeds. */
export const DEFAULT_CHART: Readonly<Record<AccountRole, { code: string; name: string }>> = {
  cash: { code: '1000', name: 'Cash in bank' },
  ar_control: { code: '1100', name: 'Accounts receivable (control)' },
  unapplied_cash: { code: '2100', name: 'Unapplied cash' },
  revenue: { code: '4000', name: 'Sales (clearing from ERP)' },
  discount: { code: '4900', name: 'Early-payment discounts allowed' },
  write_off: { code: '6900', name: 'AR write-offs and small balances' },
  bad_debt: { code: '6910', name: 'Bad-debt expense' },
  fx_gain_loss: { code: '7900', name: 'Realized FX gain/loss' },
};
