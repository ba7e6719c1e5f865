import { type CompanyContext, createCompany, postDocument, recordReceipt } from '../../src/ledger/index.js';
import type { SqlClient } from '../../src/store/client.js';

export const actor = 'clerk';

export async function customer(
  client: SqlClient,
  ctx: CompanyContext,
  number: string,
  name: string,
  currency = 'USD',
  parent: string | null = null,
): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO customer (company_id, customer_id, customer_number, name, parent_customer_id, currency, created_by, updated_by)
     VALUES ($1, gen_random_uuid(), $2, $3, $4, $5, 't', 't') RETURNING customer_id AS id`,
    [ctx.companyId, number, name, parent, currency],
  );
  return rows[0]!.id;
}

export const MATRIX = {
  rules: [
    {
      id: 'DMG-SMALL',
      reason: 'damage',
      max: '1000.00',
      owner: 'Lee Logistics <lee@acme.example>',
      team: 'Logistics',
      manager: 'Mia Ops <mia@acme.example>',
      deadline_days: 5,
    },
    {
      id: 'DMG-LARGE',
      reason: 'damage',
      min: '1000.00',
      owner: 'Mia Ops <mia@acme.example>',
      team: 'Logistics',
      manager: 'Carl Controller <carl@acme.example>',
      deadline_days: 10,
    },
    {
      id: 'PRC-KEY',
      reason: 'pricing',
      segment: 'key_account',
      owner: 'Pat Pricing <pat@acme.example>',
      team: 'Pricing',
      manager: 'Sam Sales <sam@acme.example>',
      deadline_days: '10bd',
    },
    {
      id: 'ANY',
      reason: '*',
      owner: 'ar-team@acme.example',
      team: 'AR',
      manager: 'Carl Controller <carl@acme.example>',
      deadline_days: 14,
    },
  ],
};

/** A company with four customers (one in EUR), invoices dated 2026-10-01 and one short-paying receipt. */
export async function seedCompany(client: SqlClient, code: string) {
  const ctx = await createCompany(client, { code, name: code, baseCurrency: 'USD', actor });
  const ids: Record<string, string> = {};
  ids.north = await customer(client, ctx, 'C100', 'Northwind Holdings Inc.');
  ids.bolt = await customer(client, ctx, 'C200', 'Bolt & Nut Manufacturing LLC');
  ids.cobalt = await customer(client, ctx, 'C300', 'Cobalt Outfitters Ltd');
  ids.euro = await customer(client, ctx, 'C400', 'Europa Handel GmbH', 'EUR');
  const invoices: [string, string, number, string, string?][] = [
    ['INV-1', ids.cobalt!, 5_000_00, 'USD'],
    ['INV-2', ids.cobalt!, 1_200_00, 'USD'],
    ['INV-3', ids.bolt!, 800_00, 'USD'],
    ['INV-4', ids.north!, 20_000_00, 'USD'],
    ['INV-5', ids.euro!, 1_000_00, 'EUR', '1.1'],
  ];
  for (const [number, customerId, amountMinor, currency, fxRate] of invoices) {
    ids[number] = await postDocument(client, ctx, {
      documentNumber: number,
      customerId,
      docType: 'invoice',
      documentDate: '2026-10-01',
      dueDate: '2026-10-31',
      currency,
      amountMinor,
      fxRate,
      description: number === 'INV-4' ? 'Industrial fasteners' : 'Outdoor apparel',
      poNumber: `PO-${number}`,
      actor,
    });
  }
  ids.r1 = await recordReceipt(client, ctx, {
    receiptKey: 'R1',
    customerId: null,
    receiptDate: '2026-10-20',
    method: 'ach',
    currency: 'USD',
    amountMinor: 4_750_00,
    payerName: 'COBALT OUTFITTERS',
    remittanceText: 'INV-1 LESS 250.00 DAMAGED GOODS',
    actor,
  });
  return { ctx, ids };
}
