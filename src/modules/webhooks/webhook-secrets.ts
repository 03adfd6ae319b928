import { Injectable } from '@nestjs/common';
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  randomBytes,
  randomInt,
  type KeyObject,
} from 'node:crypto';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';

const PREFIX = 'whsec_';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A new signing secret: `whsec_` and the base64 of 24 to 32 random bytes (Standard Webhooks). */
export function generateWebhookSecret(): string {
  return PREFIX + randomBytes(randomInt(24, 33)).toString('base64');
}

/**
 * The `webhook-signature` value for one message: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`
 * with each secret (key: the base64 after `whsec_`), space-separated.
 */
export function signatures(secrets: readonly string[], id: string, timestamp: number, body: string): string {
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.slice(PREFIX.length), 'base64');
      return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
    })
    .join(' ');
}

/**
 * Seals the stored webhook secrets with AES-256-GCM (signing needs them back, so they cannot
 * be hashed). The key is `WEBHOOK_SECRET_KEY`, or else derived from the JWT secret: set it to
 * keep the webhook secrets readable when the JWT secret is rotated.
 */
@Injectable()
export class WebhookSecrets {
  /** A `KeyObject`, imported once: a raw key is imported again by every cipher made with it. */
  private readonly key: KeyObject;

  constructor(@InjectAppConfig() config: AppConfig) {
    const configured = config.webhooks.secretKey;
    this.key = createSecretKey(
      configured
        ? Buffer.from(configured, configured.length === 64 ? 'hex' : 'base64')
        : Buffer.from(hkdfSync('sha256', config.auth.jwtSecret, 'yello', 'yello/webhook-secrets', 32)),
    );
  }

  seal(secret: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const encrypted = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), encrypted]).toString('base64url');
  }

  /** The secret; throws when it was sealed under another key (or altered). */
  open(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
