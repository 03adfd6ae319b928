import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RequestValidationError } from '../../common/http/domain-error.js';
import type { Page } from '../../common/pagination/page.dto.js';
import type { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { PaginationService } from '../../common/pagination/pagination.service.js';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';
import { Transactions } from '../../database/transactions.js';
import { Project } from '../projects/entities/project.entity.js';
import { ProjectNotFound } from '../projects/projects.errors.js';
import { Tenant } from '../tenants/entities/tenant.entity.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import { WebhookDeliveryDto, type DeliveryListQueryDto } from './dto/webhook-delivery.dto.js';
import {
  CreatedWebhookDto,
  WebhookDto,
  type CreateWebhookDto,
  type RotatedWebhookSecretDto,
  type UpdateWebhookDto,
} from './dto/webhook.dto.js';
import { WebhookDelivery } from './entities/webhook-delivery.entity.js';
import { Webhook } from './entities/webhook.entity.js';
import { urlProblem } from './webhook-address.js';
import { PING_TYPE, WebhookDispatcher } from './webhook-dispatcher.js';
import { generateWebhookSecret, WebhookSecrets } from './webhook-secrets.js';
import { WebhookDeliveryNotFound, WebhookDisabled, WebhookNotFound } from './webhooks.errors.js';

/** After a rotation the old secret signs too for this long, so receivers can switch without losing deliveries. */
const ROTATION_OVERLAP_MS = 24 * 3_600_000;

@Injectable()
export class WebhooksService {
  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly pagination: PaginationService,
    private readonly secrets: WebhookSecrets,
    private readonly dispatcher: WebhookDispatcher,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  async create(caller: TenantMembership, input: CreateWebhookDto): Promise<CreatedWebhookDto> {
    this.checkUrl(input.url);
    const secret = generateWebhookSecret();
    return this.transactions.run(async (em) => {
      const project = input.projectId === undefined ? null : await em.findOne(Project, { id: input.projectId });
      if (input.projectId !== undefined && !project) throw new ProjectNotFound();
      const webhook = em.create(Webhook, {
        tenant: em.getReference(Tenant, caller.tenantId),
        url: input.url,
        events: input.events,
        project,
        description: input.description ?? null,
        secret: this.secrets.seal(secret),
      });
      await em.flush();
      return CreatedWebhookDto.withSecret(webhook, secret);
    });
  }

  /** Newest first. */
  list(caller: TenantMembership, query: PageQueryDto): Promise<Page<WebhookDto>> {
    return this.pagination.page(
      query,
      { scope: caller.tenantId, list: 'webhooks', sort: '-createdAt' },
      (window) => this.em.findByCursor(Webhook, { ...window, orderBy: { createdAt: 'desc', id: 'desc' } }),
      (webhook) => WebhookDto.from(webhook),
    );
  }

  async get(_caller: TenantMembership, webhookId: string): Promise<WebhookDto> {
    return WebhookDto.from(await this.load(this.em, webhookId));
  }

  async update(_caller: TenantMembership, webhookId: string, changes: UpdateWebhookDto): Promise<WebhookDto> {
    if (changes.url !== undefined) this.checkUrl(changes.url);
    return this.transactions.run(async (em) => {
      const webhook = await this.load(em, webhookId);
      if (changes.url !== undefined) webhook.url = changes.url;
      if (changes.events !== undefined) webhook.events = changes.events;
      if (changes.description !== undefined) webhook.description = changes.description;
      if (changes.active !== undefined) {
        webhook.active = changes.active;
        webhook.disabledReason = null;
      }
      await em.flush();
      return WebhookDto.from(webhook);
    });
  }

  async delete(_caller: TenantMembership, webhookId: string): Promise<void> {
    await this.transactions.run(async (em) => {
      const webhook = await this.load(em, webhookId);
      // Its deliveries go with it (ON DELETE CASCADE); their queued jobs then find nothing to do.
      await em.nativeDelete(Webhook, { id: webhook.id });
    });
  }

  async rotateSecret(_caller: TenantMembership, webhookId: string): Promise<RotatedWebhookSecretDto> {
    const secret = generateWebhookSecret();
    return this.transactions.run(async (em) => {
      const webhook = await this.load(em, webhookId);
      const previousSecretExpiresAt = new Date(Date.now() + ROTATION_OVERLAP_MS);
      webhook.previousSecret = webhook.secret;
      webhook.previousSecretExpiresAt = previousSecretExpiresAt;
      webhook.secret = this.secrets.seal(secret);
      await em.flush();
      return { secret, previousSecretExpiresAt };
    });
  }

  /** Sends a `webhook.ping` (not an event of the log): one attempt, shown in the delivery log. */
  async ping(caller: TenantMembership, webhookId: string): Promise<WebhookDeliveryDto> {
    return this.transactions.run(async (em) => {
      const webhook = await this.loadActive(em, webhookId);
      const eventId = randomUUID();
      const timestamp = new Date().toISOString();
      const data = {
        id: eventId,
        type: PING_TYPE,
        occurredAt: timestamp,
        webhook: { id: webhook.id, url: webhook.url },
      };
      const [id] = await this.dispatcher.queue(em, caller.tenantId, [
        { webhookId: webhook.id, eventId, eventType: PING_TYPE, payload: { type: PING_TYPE, timestamp, data } },
      ]);
      return this.deliveryDto(em, id);
    });
  }

  /** A delivery's deliveries, newest first. */
  async deliveries(
    caller: TenantMembership,
    webhookId: string,
    query: DeliveryListQueryDto,
  ): Promise<Page<WebhookDeliveryDto>> {
    await this.load(this.em, webhookId);
    const where = { webhook: webhookId, ...(query.status === undefined ? {} : { status: query.status }) };
    return this.pagination.page(
      query,
      {
        scope: caller.tenantId,
        list: `webhook-deliveries:webhook=${webhookId}`,
        sort: '-createdAt',
        filters: { status: query.status },
      },
      (window) =>
        this.em.findByCursor(WebhookDelivery, { ...window, where, orderBy: { createdAt: 'desc', id: 'desc' } }),
      (delivery) => WebhookDeliveryDto.from(delivery),
    );
  }

  /** Sends a delivery's event again, as a new delivery with its own attempts (same `webhook-id`). */
  async redeliver(caller: TenantMembership, webhookId: string, deliveryId: string): Promise<WebhookDeliveryDto> {
    return this.transactions.run(async (em) => {
      const webhook = await this.loadActive(em, webhookId);
      const original = await em.findOne(WebhookDelivery, { id: deliveryId, webhook: webhook.id });
      if (!original) throw new WebhookDeliveryNotFound();
      const [id] = await this.dispatcher.queue(em, caller.tenantId, [
        { webhookId: webhook.id, eventId: original.eventId, eventType: original.eventType, payload: original.payload },
      ]);
      return this.deliveryDto(em, id);
    });
  }

  private async deliveryDto(em: EntityManager, deliveryId: string | undefined): Promise<WebhookDeliveryDto> {
    if (deliveryId === undefined) throw new Error('The delivery was not queued');
    return WebhookDeliveryDto.from(await em.findOneOrFail(WebhookDelivery, { id: deliveryId }));
  }

  private checkUrl(url: string): void {
    const problem = urlProblem(url, { production: this.config.environment === 'production' });
    if (problem) throw new RequestValidationError([{ path: 'url', message: problem }]);
  }

  private async load(em: EntityManager, webhookId: string): Promise<Webhook> {
    const webhook = await em.findOne(Webhook, { id: webhookId });
    if (!webhook) throw new WebhookNotFound();
    return webhook;
  }

  private async loadActive(em: EntityManager, webhookId: string): Promise<Webhook> {
    const webhook = await this.load(em, webhookId);
    if (!webhook.active) throw new WebhookDisabled();
    return webhook;
  }
}
