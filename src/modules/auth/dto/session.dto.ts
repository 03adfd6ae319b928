import type { AuthenticatedUser } from '../../../common/auth/authenticated-user.js';
import { PageOf } from '../../../common/pagination/page.dto.js';
import type { Session } from '../entities/session.entity.js';

export class SessionDto {
  id!: string;
  createdAt!: Date;
  lastUsedAt!: Date;
  userAgent!: string | null;
  /** True for the session of the token making this request. */
  current!: boolean;

  static from(session: Session, caller: AuthenticatedUser): SessionDto {
    return {
      id: session.id,
      createdAt: session.createdAt,
      lastUsedAt: session.lastUsedAt,
      userAgent: session.userAgent,
      current: session.id === caller.sessionId,
    };
  }
}

export class SessionPageDto extends PageOf(SessionDto) {}
