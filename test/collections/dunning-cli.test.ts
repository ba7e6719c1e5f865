import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initWithFixtures, openarChild as openar, tempDatabase } from '../helpers/cli.js';

/**
 * `openar dunning …` and `openar report statement` over the canonical fixtures (PGlite), with a
 * real SMTP server: strategy files checked and loaded, a customer's language, dry run, run, list,
 * show, undo, and the statement in every format.
 */
describe('openar dunning', { timeout: 600_000 }, () => {
  const { dir, db } = tempDatabase('dunning');
  const received: Buffer[] = [];
  let server: SMTPServer;
  let smtpUrl: string;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push(Buffer.concat(chunks));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads strategies, dunns, shows, undoes and prints statements', async () => {
    const run = (...args: string[]) => openar(db, {}, ...args);
    await initWithFixtures(run);

    const def = await run('dunning', 'strategy', 'default');
    expect(def.code).toBe(0);
    const file = JSON.parse(def.stdout);
    file.strategies[0].steps[2].days = '7';
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(file));
    const bad = await run('dunning', 'strategy', 'load', join(dir, 'bad.json'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      'bad.json: strategies[0].steps[2].days: expected days relative to the due date',
    );
    file.strategies[0].steps[2].days = 7;
    file.templates = {
      en: { final: { subject: 'FINAL NOTICE {{customer_number}}', body: '{{items_table}}\n{{totals}}' } },
    };
    writeFileSync(join(dir, 'good.json'), JSON.stringify(file));
    const good = await run('dunning', 'strategy', 'load', join(dir, 'good.json'));
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/loaded good\.json .*2 strategies, 1 segments, default standard/);

    const dry = await run('dunning', 'run', '--as-of', '2026-03-31', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout);
    // C101: INV-1002 due 03-01 (+30), 400.50 open, a credit memo of 100.00 does not cover it.
    expect(plan.letters.filter((l: { action: string }) => l.action === 'email')).toEqual([
      expect.objectContaining({
        customerNumber: 'C101',
        step: 'final_30',
        subject: 'FINAL NOTICE C101',
        status: 'would_send',
      }),
    ]);
    expect(plan.skipped).toEqual([expect.objectContaining({ customerNumber: 'C102', code: 'no_email' })]);
    expect(received).toHaveLength(0);

    expect(
      (await run('dunning', 'customer', 'C101', '--language', 'fr', '--reason', 'AP team in Lyon')).code,
    ).toBe(0);
    const noSmtp = await run('dunning', 'run', '--as-of', '2026-03-31');
    expect(noSmtp.code).toBe(1);
    expect(noSmtp.stderr).toMatch(/SMTP_URL is not set/);

    const sent = await openar(db, { SMTP_URL: smtpUrl }, 'dunning', 'run', '--as-of', '2026-03-31');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/1 e-mails sent, 0 failed/);
    expect(received).toHaveLength(1);
    const mail = await PostalMime.parse(received[0]!);
    expect(mail.subject).toBe('Dernier avis avant recouvrement (Globex East)');
    expect(mail.to?.map((a) => ('address' in a ? a.address : ''))).toEqual(['east@globex.example']);
    expect(
      Buffer.from(mail.attachments[0]!.content as ArrayBuffer)
        .subarray(0, 4)
        .toString('latin1'),
    ).toBe('%PDF');

    const again = await openar(
      db,
      { SMTP_URL: smtpUrl },
      'dunning',
      'run',
      '--as-of',
      '2026-03-31',
      '--json',
    );
    expect(JSON.parse(again.stdout).letters).toEqual([]);
    expect(received).toHaveLength(1);

    const list = JSON.parse((await run('dunning', 'list', '--json')).stdout);
    expect(list.map((r: { emails: number; sent: number }) => [r.emails, r.sent])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    const first = list[1].runId;
    const show = JSON.parse((await run('dunning', 'show', first, '--json')).stdout);
    expect(show.letters[0]).toMatchObject({ customerNumber: 'C101', language: 'fr', status: 'sent' });
    expect(show.letters[0].charges).toEqual([expect.objectContaining({ kind: 'interest' })]);

    const undo = await run('dunning', 'undo', first, '--reason', 'test of undo');
    expect(undo.code).toBe(0);
    expect(undo.stdout).toMatch(/undone: .*1 fees\/interest reversed, 1 e-mails stay recorded as sent/);
    expect((await run('dunning', 'undo', first, '--reason', 'twice')).code).toBe(1);
    expect((await run('dunning', 'show', 'nope')).stderr).toMatch(/no dunning run nope/);

    const json = await run(
      'report',
      'statement',
      'C101',
      '--from',
      '2026-01-01',
      '--to',
      '2026-03-31',
      '--json',
    );
    expect(json.code).toBe(0);
    const st = JSON.parse(json.stdout);
    expect(st.sections[0]).toMatchObject({ currency: 'USD', opening_balance: '0.00', balanced: true });
    expect(st.sections[0].closing_balance).toBe(st.sections[0].aging.total);
    const pdf = join(dir, 's.pdf');
    expect(
      (
        await run(
          'report',
          'statement',
          'C101',
          '--to',
          '2026-03-31',
          '--format',
          'pdf',
          '--output',
          pdf,
          '--language',
          'de',
        )
      ).code,
    ).toBe(0);
    expect(readFileSync(pdf).subarray(0, 4).toString('latin1')).toBe('%PDF');
    const xlsx = join(dir, 's.xlsx');
    expect(
      (await run('report', 'statement', 'C101', '--to', '2026-03-31', '--format', 'xlsx', '--output', xlsx))
        .code,
    ).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Statement', 'Open items', 'Data']);
    const table = await run('report', 'statement', 'C101', '--from', '2026-01-01', '--to', '2026-03-31');
    expect(table.stdout).toMatch(/closing balance/);
    expect((await run('report', 'statement', 'NOPE')).code).toBe(1);
    expect((await run('report', 'statement', 'C101', '--format', 'pdf')).code).toBe(2);
  });
});
