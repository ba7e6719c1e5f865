import { describe, expect, it } from 'vitest';
import {
  assignRoles,
  currencyInHeader,
  isHeaderRow,
  isSummaryLabel,
  labeledValues,
  normalizeHeader,
  roleOfHeader,
} from './columns.js';

describe('normalizeHeader', () => {
  it('ignores case, spaces, punctuation and accents', () => {
    expect(normalizeHeader(' Withdrawal (-)')).toBe('withdrawal');
    expect(normalizeHeader('Währung')).toBe('wahrung');
    expect(normalizeHeader('Date opération')).toBe('dateoperation');
    expect(normalizeHeader('Af Bij')).toBe('afbij');
    expect(normalizeHeader('Straße')).toBe('strasse');
  });
});

describe('roleOfHeader', () => {
  const role = (name: string) => roleOfHeader(name)?.role ?? null;

  it('recognizes dates in five languages', () => {
    for (const name of [
      'Date',
      'Booking date',
      'Buchungstag',
      'Datum',
      'Fecha',
      'Date opération',
      'Transaction Date',
      'Datetime',
    ]) {
      expect(role(name), name).toBe('date');
    }
    for (const name of [
      'Value date',
      'Valuta',
      'Wertstellung',
      'Rentedatum',
      'Date de valeur',
      'Fecha valor',
    ]) {
      expect(role(name), name).toBe('valueDate');
    }
  });

  it('recognizes amounts, debit/credit and indicators', () => {
    for (const name of [
      'Amount',
      'Betrag',
      'Bedrag',
      'Montant',
      'Importe',
      'Betrag (EUR)',
      'Amount (total)',
      'Bedrag (EUR)',
    ]) {
      expect(role(name), name).toBe('amount');
    }
    expect(role('Amount (fee)')).toBeNull();
    for (const name of ['Debit', 'Withdrawal (-)', 'Soll', 'Debe', 'Débit'])
      expect(role(name), name).toBe('debit');
    for (const name of ['Credit', 'Deposit (+)', 'Haben', 'Haber', 'Crédit'])
      expect(role(name), name).toBe('credit');
    for (const name of ['D/C', 'Af Bij', 'Soll/Haben', 'CR/DR', 'Transaction Type'])
      expect(role(name), name).toBe('indicator');
  });

  it('recognizes the other columns', () => {
    expect(role('Währung')).toBe('currency');
    expect(role('RunningBalance')).toBe('balance');
    expect(role('Saldo')).toBe('balance');
    expect(role('Verwendungszweck')).toBe('description');
    expect(role('Omschrijving')).toBe('description');
    expect(role('Mededelingen')).toBe('memo');
    expect(role('Memo')).toBe('memo');
    expect(role('Beguenstigter/Zahlungspflichtiger')).toBe('payee');
    expect(role('Naam / Omschrijving')).toBe('payee');
    expect(role('Tegenrekening')).toBe('counterpartyAccount');
    expect(role('IBAN')).toBe('counterpartyAccount');
    expect(role('Transaction ID')).toBe('reference');
    expect(role(' ID')).toBe('reference');
    expect(role('Kundenreferenz (End-to-End)')).toBe('endToEndId');
    expect(role('Account Name')).toBe('account');
    expect(role('Check #')).toBe('checkNumber');
    expect(role('Start Balance')).toBe('startBalance');
    expect(role('Whatever')).toBeNull();
  });
});

describe('header rows', () => {
  it('needs a date and an amount (or debit/credit) column', () => {
    expect(isHeaderRow(assignRoles(['Datum', 'Text', 'Betrag']))).toBe(true);
    expect(isHeaderRow(assignRoles(['Date', 'Withdrawal (-)', 'Deposit (+)']))).toBe(true);
    expect(isHeaderRow(assignRoles(['Konto', 'DE89370400440532013000']))).toBe(false);
    expect(isHeaderRow(assignRoles(['Text', 'Betrag']))).toBe(false);
  });

  it('takes the best-ranked column for a role', () => {
    const roles = assignRoles(['Date', 'Description', 'Original Description', 'Amount']);
    expect(roles.get('description')).toBe(1);
    expect(roles.get('date')).toBe(0);
  });

  it('reads a currency from an amount header', () => {
    expect(currencyInHeader('Betrag (EUR)')).toBe('EUR');
    expect(currencyInHeader('Amount in USD')).toBe('USD');
    expect(currencyInHeader('Amount')).toBeNull();
  });
});

describe('preamble labels', () => {
  it('reads labeled values from cells or "Label: value"', () => {
    expect(labeledValues(['Konto', '', 'DE89 3704 0044 0532 0130 00'])).toEqual([
      { kind: 'account', values: ['DE89 3704 0044 0532 0130 00'] },
    ]);
    expect(labeledValues(['IBAN: NL91ABNA0417164300'])).toEqual([
      { kind: 'account', values: ['NL91ABNA0417164300'] },
    ]);
    expect(labeledValues(['Anfangssaldo 01.03.2024', '1.234,56 EUR'])).toEqual([
      { kind: 'opening', values: ['1.234,56 EUR'] },
    ]);
    expect(labeledValues(['Währung', 'EUR'])).toEqual([{ kind: 'currency', values: ['EUR'] }]);
    expect(labeledValues(['Exported on', '2024-03-01'])).toEqual([]);
  });

  it('knows totals lines', () => {
    expect(isSummaryLabel('Total')).toBe(true);
    expect(isSummaryLabel('Endsaldo')).toBe(true);
    expect(isSummaryLabel('Posted Transactions')).toBe(false);
  });
});
