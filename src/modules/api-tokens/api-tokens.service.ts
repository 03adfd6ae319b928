import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { canonicalScopes } from '../../common/auth/api-token-scopes.js';
import { ApiTokenPrincipal } from '../../common/auth/authenticated-user.js';
import { RequestValidationError } from '../../common/http/domain-error.js';
import type { Page } from '../../common/pagination/page.dto.js';
import { PaginationService } from '../../common/pagination/pagination.service.js';
import { Transactions } from '../../database/transactions.js';
import { EventLog } from '../events/event-log.js';
import { Tenant } from '../tenants/entities/tenant.entity.js';
import { hasAtLeast } from '../tenants/roles.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import { InsufficientRole } from '../tenants/tenants.errors.js';
import { User } from '../users/entities/user.entity.js';
import { apiTokenHash, DISPLAY_PREFIX_LENGTH, generateApiToken, isWellFormedApiToken } from './api-token-format.js';
import { ApiTokenNotFound } from './api-tokens.errors.js';
import {
  ApiTokenDto,
  CreatedApiTokenDto,
  type ApiTokenListQueryDto,
  type CreateApiTokenDto,
} from './dto/api-token.dto.js';
import { ApiToken } from './entities/api-token.entity.js';

const DAY_MS = 86_400_000;
const DEFAULT_LIFETIME_DAYS = 90;
const MAX_LIFETIME_DAYS = 366;

@Injectable()
export class ApiTokensService {
  private readonly logger = new Logger(ApiTokensService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly pagination: PaginationService,
    private readonly events: EventLog,
  ) {}

  async create(caller: TenantMembership, input: CreateApiTokenDto): Promise<CreatedApiTokenDto> {
    const now = Date.now();
    const expiresAt =
      input.expiresAt === undefined ? new Date(now + DEFAULT_LIFETIME_DAYS * DAY_MS) : new Date(input.expiresAt);
    if (!(expiresAt.getTime() > now && expiresAt.getTime() <= now + MAX_LIFETIME_DAYS * DAY_MS)) {
      throw new RequestValidationError([
        { path: 'expiresAt', message: 'must be in the future, at most 366 days away' },
      ]);
    }
    const secret = generateApiToken();
    return this.transactions.run(async (em) => {
      const token = em.create(ApiToken, {
        tenant: em.getReference(Tenant, caller.tenantId),
        user: em.getReference(User, caller.userId),
        name: input.name,
        scopes: canonicalScopes(input.scopes),
        tokenHash: apiTokenHash(secret),
        prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH),
        expiresAt,
      });
      await em.flush();
      // The token as any list shows it: never the secret.
      this.events.record(caller, { type: 'api_token.created', data: { apiToken: ApiTokenDto.from(token) } });
      return CreatedApiTokenDto.withSecret(token, secret);
    });
  }

  /** Newest first, expired ones included (so a broken automation can be told apart); never revoked ones. */
  list(caller: TenantMembership, query: ApiTokenListQueryDto): Promise<Page<ApiTokenDto>> {
    const admin = hasAtLeast(caller.role, 'admin');
    if (!admin && query.userId !== undefined && query.userId !== caller.userId) throw new InsufficientRole('admin');
    const userId = admin ? query.userId : caller.userId;
    const where = { revokedAt: null, ...(userId === undefined ? {} : { user: userId }) };
    return this.pagination.page(
      query,
      { scope: caller.tenantId, list: 'api-tokens', sort: '-createdAt', filters: { userId } },
      (window) => this.em.findByCursor(ApiToken, { ...window, where, orderBy: { createdAt: 'desc', id: 'desc' } }),
      (token) => ApiTokenDto.from(token),
    );
  }

  /** Its creator, or an admin, revokes a token: the next request with it is a 401, on every instance. */
  async revoke(caller: TenantMembership, tokenId: string): Promise<void> {
    await this.transactions.run(async (em) => {
      const token = await em.findOne(ApiToken, { id: tokenId, revokedAt: null }, { refresh: true });
      if (!token) throw new ApiTokenNotFound();
      if (token.user.id !== caller.userId && !hasAtLeast(caller.role, 'admin')) throw new InsufficientRole('admin');
      token.revokedAt = new Date();
      await em.flush();
      this.events.record(caller, { type: 'api_token.revoked', data: { apiToken: ApiTokenDto.from(token) } });
    });
  }

  /**
   * The principal of a presented token, or null (a 401): a bad checksum costs no query.
   * A use is recorded at most once a minute, off the request's path.
   */
  async authenticate(secret: string, clientIp: string): Promise<ApiTokenPrincipal | null> {
    if (!isWellFormedApiToken(secret)) return null;
    const repository = this.em.getRepository(ApiToken);
    const token = await repository.findActive(apiTokenHash(secret));
    if (!token) return null;
    if (token.useStale) {
      repository.recordUse(token.tenantId, token.id, clientIp).catch((error: unknown) => {
        this.logger.warn({ err: error, tokenId: token.id }, 'Could not record the use of an API token');
      });
    }
    return new ApiTokenPrincipal(token.id, token.userId, token.tenantId, token.scopes, token.expiresAt);
  }
}
