import { ApiProperty, PartialType, PickType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
} from 'class-validator';
import { PageOf } from '../../../common/pagination/page.dto.js';
import { Optional, TextLength, Trim } from '../../../common/validation/decorators.js';
import type { Webhook } from '../entities/webhook.entity.js';
import { WEBHOOK_EVENT_FILTERS } from '../webhook-event-filter.js';

export class CreateWebhookDto {
  /**
   * Where events are POSTed. In production only `https`, to public addresses (checked again
   * at each delivery); elsewhere `http` and loopback too.
   * @example "https://hooks.example.com/yello"
   */
  @Trim()
  @TextLength(1, 2048)
  @IsString()
  url!: string;

  /**
   * Event types (`task.updated`) and whole entities (`task.*`) to send.
   * @example ["task.*", "comment.created"]
   */
  @ApiProperty({ enum: WEBHOOK_EVENT_FILTERS, isArray: true, minItems: 1, maxItems: 50, uniqueItems: true })
  @IsIn(WEBHOOK_EVENT_FILTERS, { each: true })
  @ArrayUnique({ message: 'must not repeat an event type' })
  @ArrayMaxSize(50)
  @ArrayMinSize(1)
  @IsArray()
  events!: string[];

  /** Only the events of this project of the tenant. Default: every event of the tenant. */
  @Optional()
  @IsUUID('all', { message: 'must be a UUID' })
  projectId?: string;

  /**
   * What it is for; null clears it.
   * @example "Posts task changes to the team chat"
   */
  @IsOptional()
  @TextLength(0, 500)
  @IsString()
  description?: string | null;
}

export class UpdateWebhookDto extends PartialType(
  PickType(CreateWebhookDto, ['url', 'events', 'description'] as const),
  {
    skipNullProperties: false,
  },
) {
  /** `false` stops deliveries; `true` enables a webhook again (also one Yello disabled). */
  @Optional()
  @IsBoolean()
  active?: boolean;
}

export class WebhookDto {
  id!: string;
  /** @example "https://hooks.example.com/yello" */
  url!: string;
  /** @example ["task.*", "comment.created"] */
  events!: string[];
  projectId!: string | null;
  description!: string | null;
  /** Disabled webhooks are sent nothing. */
  active!: boolean;
  /**
   * Why Yello disabled it: a `410 Gone`, or failed deliveries for three days.
   * @example "The endpoint answered 410 Gone"
   */
  disabledReason!: string | null;
  createdAt!: Date;

  static from(webhook: Webhook): WebhookDto {
    return {
      id: webhook.id,
      url: webhook.url,
      events: webhook.events,
      projectId: webhook.project?.id ?? null,
      description: webhook.description,
      active: webhook.active,
      disabledReason: webhook.disabledReason,
      createdAt: webhook.createdAt,
    };
  }
}

export class CreatedWebhookDto extends WebhookDto {
  /**
   * The signing secret, shown only in this response (Standard Webhooks: verify each
   * delivery's `webhook-signature` with it).
   * @example "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
   */
  secret!: string;

  static withSecret(webhook: Webhook, secret: string): CreatedWebhookDto {
    return Object.assign(WebhookDto.from(webhook), { secret });
  }
}

export class RotatedWebhookSecretDto {
  /**
   * The new signing secret, shown only in this response.
   * @example "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
   */
  secret!: string;
  /** Until then each delivery is signed with the old secret too (two `v1,` signatures). */
  previousSecretExpiresAt!: Date;
}

export class WebhookPageDto extends PageOf(WebhookDto) {}
