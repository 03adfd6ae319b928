import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type StreamTransport from 'nodemailer/lib/stream-transport/index.js';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';
import type { MailContent } from './mail-templates.js';

export interface OutgoingMail extends MailContent {
  to: string;
}

/** nodemailer's defaults wait minutes on a silent server: a job gives up sooner and is retried. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * Sends mail with nodemailer: over SMTP when `SMTP_URL` is set; otherwise (the local default)
 * each message is rendered by nodemailer as it would be sent and written to
 * `<DATA_DIR>/outbox/<time>-<id>.eml`, and its links are logged, so a developer can follow
 * them with nothing installed. Called from jobs only: a failure throws, and the job is retried.
 */
@Injectable()
export class Mailer {
  private readonly logger = new Logger(Mailer.name);
  private readonly from: string;
  private readonly smtp: Transporter<SMTPTransport.SentMessageInfo> | undefined;
  private readonly outbox: { dir: string; transport: Transporter<StreamTransport.SentMessageInfo> } | undefined;

  constructor(@InjectAppConfig() config: AppConfig) {
    this.from = config.mail.from;
    if (config.mail.smtpUrl) {
      this.smtp = nodemailer.createTransport({ url: config.mail.smtpUrl, ...SMTP_TIMEOUTS });
    } else {
      this.outbox = {
        dir: path.resolve(config.localData.dir, 'outbox'),
        transport: nodemailer.createTransport({ streamTransport: true, buffer: true }),
      };
    }
  }

  /** Whether mail leaves this machine (`SMTP_URL` is set). */
  get delivers(): boolean {
    return this.smtp !== undefined;
  }

  async send(mail: OutgoingMail): Promise<void> {
    const message = { from: this.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html };
    if (this.smtp) {
      await this.smtp.sendMail(message);
      return;
    }
    if (!this.outbox) return;
    const { message: rendered } = await this.outbox.transport.sendMail(message);
    if (!Buffer.isBuffer(rendered)) throw new Error('nodemailer was asked for a buffer');
    const file = path.join(
      this.outbox.dir,
      `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`,
    );
    await mkdir(this.outbox.dir, { recursive: true });
    await writeFile(file, rendered);
    // Local development only (no SMTP_URL): the links are how a developer follows the flow.
    this.logger.log({ to: mail.to, subject: mail.subject, file, links: mail.links }, 'mail written to the outbox');
  }
}
