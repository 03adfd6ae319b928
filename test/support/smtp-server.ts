import { simpleParser, type ParsedMail } from 'mailparser';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** The envelope recipients. */
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** The first link of the text part, and its `token` parameter. */
  link: string;
  token: string;
}

export interface TestSmtpServer {
  /** `smtp://…` of this server, for `SMTP_URL`. */
  url: string;
  received: ReceivedMail[];
  /** The next `count` messages are refused with a temporary failure (`451`). */
  refuseNext(count: number): void;
  /** Waits for a mail to `to` whose subject contains `subject`, and returns it. */
  waitFor(to: string, subject: string, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

function toReceived(to: string[], parsed: ParsedMail): ReceivedMail {
  const text = parsed.text ?? '';
  const link = /https?:\/\/\S+/.exec(text)?.[0] ?? '';
  return {
    to,
    subject: parsed.subject ?? '',
    text,
    html: typeof parsed.html === 'string' ? parsed.html : '',
    link,
    token: link ? (new URL(link).searchParams.get('token') ?? '') : '',
  };
}

/** A real SMTP server on a free loopback port that keeps what it is sent (smtp-server, mailparser). */
export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  let refusals = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
      if (refusals > 0) {
        refusals--;
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('Try again later'), { responseCode: 451 })));
        return;
      }
      simpleParser(stream)
        .then((parsed) => {
          received.push(toReceived(to, parsed));
          callback();
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('The SMTP server listens on no TCP port');
  return {
    url: `smtp://127.0.0.1:${address.port}`,
    received,
    refuseNext(count) {
      refusals = count;
    },
    async waitFor(to, subject, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const mail = received.find((m) => m.to.includes(to) && m.subject.includes(subject));
        if (mail) return mail;
        if (Date.now() > deadline) throw new Error(`No mail to ${to} about "${subject}" within ${timeoutMs} ms`);
        await sleep(25);
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
