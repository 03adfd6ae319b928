import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { DomainError } from '../common/http/domain-error.js';

/** Flushes `em`; a unique constraint it violates becomes the domain's own conflict (a name taken, a key taken). */
export async function flushUnique(em: EntityManager, conflict: () => DomainError): Promise<void> {
  try {
    await em.flush();
  } catch (error) {
    throw error instanceof UniqueConstraintViolationException ? conflict() : error;
  }
}
