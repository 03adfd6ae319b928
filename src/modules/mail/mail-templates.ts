import { Injectable } from '@nestjs/common';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';

export const PRODUCT_NAME = 'Yello';

/** A mail as written: plain text and HTML saying the same, and the links it carries. */
export interface MailContent {
  subject: string;
  text: string;
  html: string;
  /** The links of the mail (logged when mails go to the local outbox). */
  links: string[];
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);

/** Paragraphs in both forms; `link` is shown as a button in HTML and as the bare URL in text. */
function compose(subject: string, greeting: string, paragraphs: string[], link?: { label: string; url: string }) {
  const closing = `— ${PRODUCT_NAME}`;
  const text = [greeting, ...paragraphs, ...(link ? [`${link.label}: ${link.url}`] : []), closing].join('\n\n');
  const html =
    `<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">` +
    `<p>${escapeHtml(greeting)}</p>` +
    paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join('') +
    (link
      ? `<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>` +
        `<p style="color: #666">${escapeHtml(link.url)}</p>`
      : '') +
    `<p>${escapeHtml(closing)}</p></body></html>`;
  return { subject: `${PRODUCT_NAME}: ${subject}`, text, html, links: link ? [link.url] : [] };
}

/**
 * The text of every mail Yello sends. Links point into the client app at `APP_URL`
 * (configuration), never at the address a request came to: a forged `Host` header cannot
 * send a reset link to an attacker's site.
 */
@Injectable()
export class MailTemplates {
  private readonly appUrl: string;

  constructor(@InjectAppConfig() config: AppConfig) {
    this.appUrl = config.mail.appUrl;
  }

  passwordReset(name: string, token: string, ttlMinutes: number): MailContent {
    return compose(
      'reset your password',
      `Hello ${name},`,
      [
        `Someone (hopefully you) asked to reset the password of your ${PRODUCT_NAME} account.`,
        `The link works once, for ${ttlMinutes} minutes, and signs every device out. If you did not ask, ignore this mail: your password stays as it is.`,
      ],
      { label: 'Choose a new password', url: this.link('/reset-password', token) },
    );
  }

  emailVerification(name: string, token: string, ttlHours: number): MailContent {
    return compose(
      'confirm your email address',
      `Hello ${name},`,
      [
        `Please confirm that this address belongs to your ${PRODUCT_NAME} account. The link works once, for ${ttlHours} hours.`,
      ],
      { label: 'Confirm this address', url: this.link('/verify-email', token) },
    );
  }

  emailChange(name: string, newEmail: string, token: string, ttlHours: number): MailContent {
    return compose(
      'confirm your new email address',
      `Hello ${name},`,
      [
        `Your ${PRODUCT_NAME} account is to move to this address (${newEmail}). It moves when you open the link, which works once, for ${ttlHours} hours.`,
        'If you did not ask for this, ignore this mail.',
      ],
      { label: 'Move my account to this address', url: this.link('/verify-email', token) },
    );
  }

  passwordChanged(name: string): MailContent {
    return compose('your password was changed', `Hello ${name},`, [
      `The password of your ${PRODUCT_NAME} account was just reset, and every device was signed out.`,
      'If this was not you, reset your password again at once and tell your administrator.',
    ]);
  }

  emailChanged(name: string, newEmail: string): MailContent {
    return compose('your email address was changed', `Hello ${name},`, [
      `Your ${PRODUCT_NAME} account now uses ${newEmail}; mails no longer come to this address.`,
      'If this was not you, tell your administrator at once.',
    ]);
  }

  invitation(
    tenantName: string,
    inviterName: string | null,
    role: string,
    token: string,
    expiresAt: Date,
  ): MailContent {
    const who = inviterName ?? 'Someone';
    return compose(
      `join ${tenantName}`,
      'Hello,',
      [
        `${who} invited you to join ${tenantName} on ${PRODUCT_NAME} as ${role}.`,
        `Sign in (or create an account) with this address to accept, before ${expiresAt.toUTCString()}.`,
      ],
      { label: `Join ${tenantName}`, url: this.link('/invitations/accept', token) },
    );
  }

  private link(path: string, token: string): string {
    return `${this.appUrl}${path}?token=${encodeURIComponent(token)}`;
  }
}
