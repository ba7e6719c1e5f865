import type { AddressInfo } from 'node:net';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';

/** One message as the sink received it. */
export interface SunkMessage {
  to: string[];
  subject: string;
  attachments: string[];
  bytes: number;
}

export interface SmtpSink {
  /** smtp://127.0.0.1:PORT — what SMTP_URL would be for a real relay. */
  url: string;
  messages: SunkMessage[];
  close(): Promise<void>;
}

/** Largest message the sink accepts: a dunning letter with its statement PDF is far smaller. */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
const MAX_MESSAGES = 100_000;

/**
 * A local SMTP server that keeps what it receives in memory, so the demo can show a real dunning
 * run going out over SMTP without a mail relay. Listens on 127.0.0.1 only, port chosen by the OS.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SunkMessage[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        PostalMime.parse(raw)
          .then((mail) => {
            if (messages.length < MAX_MESSAGES)
              messages.push({
                to: session.envelope.rcptTo.map((r) => r.address),
                subject: mail.subject ?? '',
                attachments: mail.attachments.map((a) => a.filename ?? a.mimeType),
                bytes: raw.length,
              });
            callback();
          })
          .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
