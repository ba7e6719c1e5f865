/**
 * Builds the e-mails and PDFs the remittance tests read, in code, so no binary fixture is committed.
 */
import PDFDocument from 'pdfkit';

export interface EmailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface EmailSpec {
  from: string;
  to?: string;
  subject: string;
  date?: string;
  messageId?: string;
  text?: string;
  html?: string;
  attachments?: EmailAttachment[];
}

/** An RFC 822 message: multipart/alternative for text + HTML, multipart/mixed around attachments. */
export function buildEml(spec: EmailSpec): string {
  const headers = [
    `From: ${spec.from}`,
    `To: ${spec.to ?? 'AR Team <ar@globex.example>'}`,
    `Subject: ${spec.subject}`,
    `Date: ${spec.date ?? 'Fri, 15 Mar 2024 16:20:00 -0500'}`,
    `Message-ID: ${spec.messageId ?? '<remit-1@acme.example>'}`,
    'MIME-Version: 1.0',
  ];
  const body = bodyPart(spec);
  const attachments = spec.attachments ?? [];
  if (attachments.length === 0) return [...headers, ...body.headers, '', body.content, ''].join('\r\n');
  const boundary = 'mixed-boundary-42';
  const parts = [
    [...body.headers, '', body.content].join('\r\n'),
    ...attachments.map((a) =>
      [
        `Content-Type: ${a.contentType}; name="${a.filename}"`,
        `Content-Disposition: attachment; filename="${a.filename}"`,
        'Content-Transfer-Encoding: base64',
        '',
        a.content.toString('base64').replace(/.{76}/g, '$&\r\n'),
      ].join('\r\n'),
    ),
  ];
  return [
    ...headers,
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    ...parts.map((p) => `--${boundary}\r\n${p}`),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

function bodyPart(spec: EmailSpec): { headers: string[]; content: string } {
  const text = spec.text === undefined ? null : quotedPrintable(spec.text);
  const html = spec.html === undefined ? null : quotedPrintable(spec.html);
  const qp = 'Content-Transfer-Encoding: quoted-printable';
  if (text !== null && html !== null) {
    const boundary = 'alt-boundary-7';
    return {
      headers: [`Content-Type: multipart/alternative; boundary="${boundary}"`],
      content: [
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        qp,
        '',
        text,
        `--${boundary}`,
        'Content-Type: text/html; charset=utf-8',
        qp,
        '',
        html,
        `--${boundary}--`,
      ].join('\r\n'),
    };
  }
  if (html !== null) return { headers: ['Content-Type: text/html; charset=utf-8', qp], content: html };
  return { headers: ['Content-Type: text/plain; charset=utf-8', qp], content: text ?? '' };
}

/** Quoted-printable as mail clients write it: non-ASCII and "=" escaped, soft line breaks at 76. */
function quotedPrintable(text: string): string {
  const bytes = Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8');
  let out = '';
  let line = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === 13 && bytes[i + 1] === 10) {
      out += `${line}\r\n`;
      line = '';
      i++;
      continue;
    }
    const piece =
      (byte >= 33 && byte <= 126 && byte !== 61) || byte === 32
        ? String.fromCharCode(byte)
        : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    if (line.length + piece.length > 75) {
      out += `${line}=\r\n`;
      line = '';
    }
    line += piece;
  }
  return out + line;
}

export interface PdfText {
  text: string;
  x: number;
  y: number;
  size?: number;
}

/** A one-page PDF with a text layer, each string at its own position (as report writers place table cells). */
export function buildPdf(items: readonly PdfText[]): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 40 });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  for (const item of items)
    doc.fontSize(item.size ?? 10).text(item.text, item.x, item.y, { lineBreak: false });
  doc.end();
  return done;
}

/** A PDF whose rows are table cells at fixed column positions; amounts right-aligned like real reports. */
export function buildTablePdf(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  above: readonly string[] = [],
): Promise<Buffer> {
  const columns = [40, 150, 260, 370, 470];
  const items: PdfText[] = above.map((text, k) => ({ text, x: 40, y: 40 + k * 16 }));
  const top = 60 + above.length * 16;
  [header, ...rows].forEach((cells, r) => {
    cells.forEach((cell, c) => {
      if (cell === '') return;
      const numeric = /^[-($]?[\d,.]+\)?$/.test(cell) && c > 0;
      // Right-align amounts at the column's right edge (about 80 points wide).
      const x = numeric ? (columns[c] ?? 40) + 80 - cell.length * 5 : (columns[c] ?? 40);
      items.push({ text: cell, x, y: top + r * 16 });
    });
  });
  return buildPdf(items);
}

/** A PDF with no text layer (a drawn rectangle only): what a scanned advice looks like to us. */
export function buildScannedPdf(): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4' });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.rect(50, 50, 200, 100).fill('#cccccc');
  doc.end();
  return done;
}
