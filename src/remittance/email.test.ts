import { describe, expect, it } from 'vitest';
import { ParseError } from '../formats/errors.js';
import { readRemittanceEmail } from './email.js';
import { htmlToText } from './html.js';
import { pdfToText } from './pdf.js';
import { buildEml, buildScannedPdf, buildTablePdf } from './test-helpers.js';

const eml = (spec: Parameters<typeof buildEml>[0]) => new TextEncoder().encode(buildEml(spec));

const HTML_TABLE = `<html><body><p>Dear AR team,</p>
<p>Please find below the details of our ACH payment of <b>$1,476.00</b>.</p>
<table border="1"><thead><tr><th>Invoice #</th><th>Invoice Date</th><th>Amount</th><th>Discount</th><th>Paid</th></tr></thead>
<tbody><tr><td>INV-1043</td><td>03/01/2024</td><td>1,200.00</td><td>24.00</td><td>1,176.00</td></tr>
<tr><td>INV-1044</td><td>03/02/2024</td><td>300.00</td><td></td><td>300.00</td></tr>
<tr><td colspan="4"><b>Total</b></td><td>1,476.00</td></tr></tbody></table>
<p>Best regards,<br>Jane Doe<br>Acme Corp.</p></body></html>`;

describe('htmlToText', () => {
  it('turns table rows into pipe lines with colspans expanded', () => {
    const text = htmlToText(HTML_TABLE);
    expect(text).toContain('| Invoice # | Invoice Date | Amount | Discount | Paid |');
    expect(text).toContain('| INV-1044 | 03/02/2024 | 300.00 |  | 300.00 |');
    expect(text).toContain('| Total |  |  |  | 1,476.00 |');
  });

  it('walks layout tables (tables holding tables) as blocks', () => {
    const text = htmlToText(
      `<table><tr><td><p>Payment of $50.00</p><table><tr><th>Invoice</th><th>Paid</th></tr><tr><td>A-100</td><td>50.00</td></tr></table></td></tr></table>`,
    );
    expect(text).toContain('Payment of $50.00');
    expect(text).toContain('| A-100 | 50.00 |');
  });
});

describe('pdfToText', () => {
  it('keeps the columns of a table, empty cells included', async () => {
    const pdf = await buildTablePdf(
      ['Invoice #', 'Amount', 'Discount', 'Paid'],
      [
        ['INV-1', '300.00', '', '300.00'],
        ['INV-2', '100.00', '2.00', '98.00'],
      ],
    );
    const lines = (await pdfToText(pdf)).split('\n').map((l) => l.trim().split(/\s{2,}/));
    expect(lines).toEqual([
      ['Invoice #', 'Amount', 'Discount', 'Paid'],
      ['INV-1', '300.00', '300.00'],
      ['INV-2', '100.00', '2.00', '98.00'],
    ]);
  });
});

describe('readRemittanceEmail', () => {
  it('reads the HTML body table, the sender, the date in its own zone and the subject reference', async () => {
    const { advices, warnings } = await readRemittanceEmail(
      eml({
        from: '"Jane Doe" <Jane.Doe@Acme.example>',
        subject: 'Remittance advice - payment 778812',
        date: 'Fri, 15 Mar 2024 23:30:00 -0500',
        text: 'Invoice # Invoice Date Amount Discount Paid INV-1043 03/01/2024 1,200.00 24.00 1,176.00',
        html: HTML_TABLE,
      }),
      'remit.eml',
    );
    expect(warnings).toEqual([]);
    expect(advices).toHaveLength(1);
    expect(advices[0]).toMatchObject({
      payer: 'Acme Corp.',
      payer_email: 'jane.doe@acme.example',
      advice_date: '2024-03-15',
      payment_reference: '778812',
      amount: '1476.00',
      currency: 'USD',
      payment_method: 'ach',
      message_id: '<remit-1@acme.example>',
      sources: ['body:html'],
      lines: [
        {
          document_number: 'INV-1043',
          amount_paid: '1176.00',
          amount_invoiced: '1200.00',
          discount: '24.00',
        },
        { document_number: 'INV-1044', amount_paid: '300.00', amount_invoiced: '300.00', discount: null },
      ],
    });
  });

  it('reads a plain-text message (quoted-printable, non-ASCII); the company in the display name is the payer', async () => {
    const { advices } = await readRemittanceEmail(
      eml({
        from: 'Müller GmbH Buchhaltung <ap@mueller.example>',
        subject: 'Zahlungsavis',
        text: 'Guten Tag,\n\nwir haben 1.234,56 € für Rechnung RE-2024-001 überwiesen.\n\nMit freundlichen Grüßen\nMax Müller',
      }),
      'avis.eml',
    );
    expect(advices[0]).toMatchObject({
      payer: 'Müller GmbH',
      payer_email: 'ap@mueller.example',
      currency: 'EUR',
      lines: [{ document_number: 'RE-2024-001', amount_paid: null }],
    });
  });

  it('takes the sender display name as payer when it is a company', async () => {
    const { advices } = await readRemittanceEmail(
      eml({
        from: 'Northwind Traders Ltd - Accounts Payable <ap@northwind.example>',
        subject: 'Payment',
        text: 'Our payment of £120.00 for invoice GX-4410 was sent today by BACS.',
      }),
      'n.eml',
    );
    expect(advices[0]).toMatchObject({ payer: 'Northwind Traders Ltd', amount: '120.00', currency: 'GBP' });
  });

  it('combines a short body with a PDF attachment: the PDF table, the body reference', async () => {
    const pdf = await buildTablePdf(
      ['Invoice #', 'Invoice Date', 'Amount', 'Discount', 'Paid'],
      [
        ['INV-2001', '02/01/2024', '1,000.00', '20.00', '980.00'],
        ['INV-2002', '02/03/2024', '520.00', '', '520.00'],
        ['Total', '', '', '', '1,500.00'],
      ],
      ['CONTOSO LLC', 'REMITTANCE ADVICE'],
    );
    const { advices } = await readRemittanceEmail(
      eml({
        from: 'ap@contoso.example',
        subject: 'Payment notification',
        text: 'Please see the attached remittance for check 100777.\n\nThanks',
        attachments: [{ filename: 'remittance.pdf', contentType: 'application/pdf', content: pdf }],
      }),
      'contoso.eml',
    );
    expect(advices).toHaveLength(1);
    expect(advices[0]).toMatchObject({
      payer: 'CONTOSO LLC',
      payer_email: 'ap@contoso.example',
      payment_reference: '100777',
      amount: '1500.00',
      amount_source: 'table-total',
      sources: ['attachment:remittance.pdf', 'body:text'],
      lines: [
        { document_number: 'INV-2001', amount_paid: '980.00', discount: '20.00' },
        { document_number: 'INV-2002', amount_paid: '520.00' },
      ],
    });
  });

  it('keeps two attached advices apart, one per payment', async () => {
    const first = await buildTablePdf(
      ['Invoice', 'Paid'],
      [['A-1', '100.00']],
      ['Check No: 5001', 'Check Amount: 100.00'],
    );
    const second = await buildTablePdf(
      ['Invoice', 'Paid'],
      [['A-2', '250.00']],
      ['Check No: 5002', 'Check Amount: 250.00'],
    );
    const { advices } = await readRemittanceEmail(
      eml({
        from: 'ap@initech.example',
        subject: 'Two payments',
        text: 'Two remittances attached.',
        attachments: [
          { filename: 'r1.pdf', contentType: 'application/pdf', content: first },
          { filename: 'r2.pdf', contentType: 'application/pdf', content: second },
        ],
      }),
      'two.eml',
    );
    expect(
      advices.map((a) => [a.payment_reference, a.amount, a.lines.map((l) => l.document_number)]),
    ).toEqual([
      ['5001', '100.00', ['A-1']],
      ['5002', '250.00', ['A-2']],
    ]);
  });

  it('reports a scanned PDF and reads what the body says', async () => {
    const { advices, warnings } = await readRemittanceEmail(
      eml({
        from: 'ap@scan.example',
        subject: 'Remittance',
        text: 'Payment of $90.00 for invoice Z-77 attached.',
        attachments: [
          { filename: 'scan.pdf', contentType: 'application/pdf', content: await buildScannedPdf() },
        ],
      }),
      'scan.eml',
    );
    expect(warnings).toEqual(['scan.pdf: the PDF has no text layer (a scan?); it was not read']);
    expect(advices[0]).toMatchObject({
      amount: '90.00',
      lines: [{ document_number: 'Z-77', amount_paid: '90.00' }],
    });
  });

  it('reads a CSV attachment', async () => {
    const csv = 'Invoice Number,Amount Paid,Check Number\nK-1,10.00,777\nK-2,15.50,777\n';
    const { advices } = await readRemittanceEmail(
      eml({
        from: 'ap@csv.example',
        subject: 'Remittance',
        text: 'See attached.',
        attachments: [{ filename: 'remit.csv', contentType: 'text/csv', content: Buffer.from(csv) }],
      }),
      'csv.eml',
    );
    expect(advices[0]).toMatchObject({
      payment_reference: '777',
      amount: '25.50',
      payer_email: 'ap@csv.example',
      lines: [{ document_number: 'K-1' }, { document_number: 'K-2' }],
    });
  });

  it('reads a payment network notification: layout tables, a key/value table and an invoice table', async () => {
    const html = `<html><body><table width="100%"><tr><td>
<table><tr><td><img src="logo.png"></td><td><h2>Payment Notification</h2></td></tr></table>
<p>Initech Inc. has sent you a payment.</p>
<table><tr><td>Payment amount</td><td>$2,150.00</td></tr><tr><td>Payment method</td><td>ACH</td></tr>
<tr><td>Payment ID</td><td>PAY-8812-2291</td></tr><tr><td>Process date</td><td>Apr 2, 2024</td></tr>
<tr><td>Estimated arrival</td><td>Apr 5, 2024</td></tr></table>
<h3>Invoices</h3>
<table><tr><th>Invoice #</th><th>Invoice date</th><th>Amount</th></tr>
<tr><td>GX-31001</td><td>Mar 1, 2024</td><td>$1,500.00</td></tr>
<tr><td>GX-31017</td><td>Mar 9, 2024</td><td>$650.00</td></tr></table>
<p>Questions? Contact support@billpay.example. &copy; 2024 BillPay Inc.</p></td></tr></table></body></html>`;
    const { advices } = await readRemittanceEmail(
      eml({ from: 'BillPay <notifications@billpay.example>', subject: 'You have been paid', html }),
      'billpay.eml',
      { ownNames: ['Globex Corporation'] },
    );
    expect(advices[0]).toMatchObject({
      payer: 'Initech Inc.',
      payer_email: 'notifications@billpay.example',
      payment_reference: 'PAY-8812-2291',
      amount: '2150.00',
      currency: 'USD',
      payment_date: '2024-04-02',
      payment_method: 'ach',
      unparsed_references: [],
      warnings: [],
      lines: [
        { document_number: 'GX-31001', amount_paid: '1500.00', invoice_date: '2024-03-01' },
        { document_number: 'GX-31017', amount_paid: '650.00', invoice_date: '2024-03-09' },
      ],
    });
  });

  it('returns no advice for a message that says nothing about a payment', async () => {
    const { advices } = await readRemittanceEmail(
      eml({ from: 'bob@example.com', subject: 'Lunch?', text: 'Are you free on Friday?' }),
      'lunch.eml',
    );
    expect(advices).toEqual([]);
  });

  it('refuses something that is not an e-mail, naming the file', async () => {
    const error = await readRemittanceEmail(
      new TextEncoder().encode('just some words\nand more'),
      'notes.eml',
    ).catch((e) => e);
    expect(error).toBeInstanceOf(ParseError);
    expect(error.message).toContain('notes.eml');
    expect(error.message).toContain('expected an RFC 822 e-mail message');
  });
});
