import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';
import { canonicalJson } from '../canonical-json.js';
import { domainError } from '../http/domain-error.js';
import { CursorCodec } from './cursor-codec.js';
import type { Page } from './page.dto.js';
import { DEFAULT_PAGE_SIZE, type PageQueryDto } from './page-query.dto.js';

export class InvalidCursor extends domainError('invalid', 'invalid-cursor', 'Invalid cursor') {
  constructor() {
    super('The cursor is malformed, or was issued for another sort or other filters', [
      { path: 'cursor', message: 'is not a cursor of this list' },
    ]);
  }
}

/** Which list a cursor belongs to: a cursor only continues the same list, sort and filters. */
export interface ListIdentity {
  /** Whose list: the tenant id for tenant data, the user id for a caller's own list. */
  scope: string;
  /** The list, with its parent where it has one (`tasks:project=<id>`). */
  list: string;
  /** The sort, as the client gave it (`-createdAt`). */
  sort: string;
  /** Every filter value that shapes the list (absent ones may be left out). */
  filters?: Record<string, unknown>;
}

/** What a keyset query gets to fetch one page: pass straight to `em.findByCursor`. */
export interface PageWindow {
  first: number;
  after?: string;
  includeCount: false;
}

/** The part of MikroORM's `Cursor` a page needs. */
export interface FetchedWindow<T> {
  items: readonly T[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/**
 * Keyset pagination for every list of the API (never OFFSET), on MikroORM's
 * `findByCursor`. The caller supplies the query (filters and an order ending in a unique
 * column, so ties break by id); this owns the opaque cursor, signed together with the
 * list's identity so a tampered cursor, or one from another sort or filter set, is a 400.
 */
@Injectable()
export class PaginationService {
  private readonly codec: CursorCodec;

  constructor(@InjectAppConfig() config: AppConfig) {
    this.codec = new CursorCodec(createHmac('sha256', config.auth.jwtSecret).update('yello/page-cursor').digest());
  }

  async page<T, R>(
    query: PageQueryDto,
    identity: ListIdentity,
    fetch: (window: PageWindow) => Promise<FetchedWindow<T>>,
    toDto: (item: T) => R,
  ): Promise<Page<R>> {
    const binding = canonicalJson(identity);
    const window: PageWindow = { first: query.limit ?? DEFAULT_PAGE_SIZE, includeCount: false };
    if (query.cursor !== undefined) {
      const after = this.codec.decode(query.cursor, binding);
      if (after === null) throw new InvalidCursor();
      window.after = after;
    }
    const fetched = await fetch(window);
    return {
      data: fetched.items.map(toDto),
      nextCursor: fetched.hasNextPage && fetched.endCursor ? this.codec.encode(fetched.endCursor, binding) : null,
    };
  }
}
