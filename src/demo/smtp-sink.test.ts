import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { startSmtpSink } from './smtp-sink.js';

describe('the demo SMTP sink', () => {
  it('receives what nodemailer sends, with recipients, subject and attachments', async () => {
    const sink = await startSmtpSink();
    try {
      const transport = nodemailer.createTransport(sink.url);
      await transport.sendMail({
        from: 'ar@demo.example',
        to: 'ap@customer.example',
        subject: 'Reminder: invoice INV-1 is past due',
        text: 'Please pay.',
        attachments: [{ filename: 'statement.pdf', content: Buffer.from('%PDF-1.4\n') }],
      });
      expect(sink.messages).toEqual([
        {
          to: ['ap@customer.example'],
          subject: 'Reminder: invoice INV-1 is past due',
          attachments: ['statement.pdf'],
          bytes: expect.any(Number),
        },
      ]);
    } finally {
      await sink.close();
    }
  });
});
