import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { PageOf } from '../../../common/pagination/page.dto.js';
import { PageQueryDto } from '../../../common/pagination/page-query.dto.js';
import { Optional } from '../../../common/validation/decorators.js';
import { DELIVERY_STATUSES, type DeliveryStatus, type WebhookDelivery } from '../entities/webhook-delivery.entity.js';

export class DeliveryListQueryDto extends PageQueryDto {
  /** Only deliveries with this status. */
  @ApiProperty({ enum: DELIVERY_STATUSES, required: false })
  @Optional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}

export class WebhookDeliveryDto {
  id!: string;
  /** The event sent (the `webhook-id` header, the same on every attempt). */
  eventId!: string;
  /** @example "task.updated" */
  eventType!: string;
  /** Attempts made so far. */
  attempt!: number;
  @ApiProperty({ enum: DELIVERY_STATUSES })
  status!: DeliveryStatus;
  /** The HTTP status of the last attempt's answer; null without an answer. */
  responseStatus!: number | null;
  /** How long the last attempt took. */
  durationMs!: number | null;
  /**
   * Why the last attempt failed.
   * @example "HTTP 503"
   */
  error!: string | null;
  createdAt!: Date;
  /** When the next attempt is due; null once it succeeded or failed for good. */
  nextAttemptAt!: Date | null;

  static from(delivery: WebhookDelivery): WebhookDeliveryDto {
    return {
      id: delivery.id,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      attempt: delivery.attempt,
      status: delivery.status,
      responseStatus: delivery.responseStatus,
      durationMs: delivery.durationMs,
      error: delivery.error,
      createdAt: delivery.createdAt,
      nextAttemptAt: delivery.nextAttemptAt,
    };
  }
}

export class WebhookDeliveryPageDto extends PageOf(WebhookDeliveryDto) {}
