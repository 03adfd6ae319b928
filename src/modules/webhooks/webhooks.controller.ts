import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { UuidParam } from '../../common/http/params.js';
import { setLocation } from '../../common/http/resource-headers.js';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { CurrentMembership, MinimumRole } from '../tenants/minimum-role.decorator.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import { DeliveryListQueryDto, WebhookDeliveryDto, WebhookDeliveryPageDto } from './dto/webhook-delivery.dto.js';
import {
  CreatedWebhookDto,
  CreateWebhookDto,
  RotatedWebhookSecretDto,
  UpdateWebhookDto,
  WebhookDto,
  WebhookPageDto,
} from './dto/webhook.dto.js';
import { WebhooksService } from './webhooks.service.js';

@ApiTags('webhooks')
@Controller('tenants/:tenantId/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /**
   * Register an endpoint that is sent the tenant's events (Standard Webhooks: signed,
   * retried for 3 days). The signing secret is in this response only.
   */
  @Post()
  @MinimumRole('admin')
  @ApiCreatedResponse({ description: 'The webhook, with its secret', type: CreatedWebhookDto })
  @ApiProblems(400, 401, 413, 415, 429)
  async createWebhook(
    @CurrentMembership() membership: TenantMembership,
    @Body() body: CreateWebhookDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedWebhookDto> {
    const webhook = await this.webhooks.create(membership, body);
    setLocation(reply, 'tenants', membership.tenantId, 'webhooks', webhook.id);
    return webhook;
  }

  /** The tenant's webhooks, newest first. Never their secrets. */
  @Get()
  @MinimumRole('admin')
  @ApiOkResponse({ description: 'A page of webhooks', type: WebhookPageDto })
  @ApiProblems(400, 401, 429)
  listWebhooks(
    @CurrentMembership() membership: TenantMembership,
    @Query() query: PageQueryDto,
  ): Promise<WebhookPageDto> {
    return this.webhooks.list(membership, query);
  }

  /** One webhook. */
  @Get(':webhookId')
  @MinimumRole('admin')
  @ApiOkResponse({ description: 'The webhook', type: WebhookDto })
  @ApiProblems(400, 401, 429)
  getWebhook(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('webhookId') webhookId: string,
  ): Promise<WebhookDto> {
    return this.webhooks.get(membership, webhookId);
  }

  /** Change the URL, the events or the description; disable it, or enable it again. */
  @Patch(':webhookId')
  @MinimumRole('admin')
  @ApiOkResponse({ description: 'The updated webhook', type: WebhookDto })
  @ApiProblems(400, 401, 413, 415, 429)
  updateWebhook(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('webhookId') webhookId: string,
    @Body() body: UpdateWebhookDto,
  ): Promise<WebhookDto> {
    return this.webhooks.update(membership, webhookId, body);
  }

  /** Delete a webhook with its delivery log; nothing more is sent to it. */
  @Delete(':webhookId')
  @MinimumRole('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Webhook deleted' })
  @ApiProblems(400, 401, 429)
  deleteWebhook(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('webhookId') webhookId: string,
  ): Promise<void> {
    return this.webhooks.delete(membership, webhookId);
  }

  /** A new signing secret, in this response only; the old one keeps signing too for 24 hours. */
  @Post(':webhookId/rotate-secret')
  @MinimumRole('admin')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ description: 'The new secret', type: RotatedWebhookSecretDto })
  @ApiProblems(400, 401, 429)
  rotateWebhookSecret(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('webhookId') webhookId: string,
  ): Promise<RotatedWebhookSecretDto> {
    return this.webhooks.rotateSecret(membership, webhookId);
  }

  /** Send a `webhook.ping` now (one attempt, in the delivery log). */
  @Post(':webhookId/ping')
  @MinimumRole('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ description: 'The ping is queued', type: WebhookDeliveryDto })
  @ApiProblems(400, 401, 409, 429)
  pingWebhook(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('webhookId') webhookId: string,
  ): Promise<WebhookDeliveryDto> {
    return this.webhooks.ping(membership, webhookId);
  }

  /** The webhook's deliveries, newest first (kept 30 days). */
  @Get(':webhookId/deliveries')
  @MinimumRole('admin')
  @ApiOkResponse({ description: 'A page of deliveries', type: WebhookDeliveryPageDto })
  @ApiProblems(400, 401, 429)
  listWebhookDeliveries(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('webhookId') webhookId: string,
    @Query() query: DeliveryListQueryDto,
  ): Promise<WebhookDeliveryPageDto> {
    return this.webhooks.deliveries(membership, webhookId, query);
  }

  /** Send a delivery's event again, as a new delivery (same `webhook-id`, so receivers can deduplicate). */
  @Post(':webhookId/deliveries/:deliveryId/redeliver')
  @MinimumRole('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ description: 'The new delivery, queued', type: WebhookDeliveryDto })
  @ApiProblems(400, 401, 409, 429)
  redeliverWebhookDelivery(
    @CurrentMembership() membership: TenantMembership,
    @UuidParam('webhookId') webhookId: string,
    @UuidParam('deliveryId') deliveryId: string,
  ): Promise<WebhookDeliveryDto> {
    return this.webhooks.redeliver(membership, webhookId, deliveryId);
  }
}
