import { expect, it } from 'vitest';
import { describeFormatCorpus } from '../conformance/format-corpus.js';
import { parser } from './index.js';

await describeFormatCorpus(parser, { noWarnings: true }, (files, parse) => {
  it('reads the FundersClub check with its remitter, date, number and memo', async () => {
    const file = files.find((f) => f.relPath.endsWith('test_lockbox.bai'));
    if (file === undefined) return;
    const result = await parse(file.absPath);
    const entry = result.statements[0]!.entries[0]!;
    expect(entry).toMatchObject({
      amount: '7000.00',
      check_number: '180',
      check_date: '2016-05-16',
      payee_name: 'MY BUSINESS COMPANY',
      counterparty: { name: 'BOB E SMITH' },
      remittance: { references: ['CE554'] },
    });
    expect(result.remittances).toHaveLength(1);
    expect(result.remittances[0]!.lines).toEqual([
      { document_number: 'CE554', amount_paid: null, amount_invoiced: null, discount: null, adjustments: [] },
    ]);
  });
});
