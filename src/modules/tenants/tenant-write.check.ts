import {
  ChangeSetType,
  ReferenceKind,
  wrap,
  type EntityManager,
  type EventSubscriber,
  type FlushEventArgs,
} from '@mikro-orm/core';
import { TENANT_FILTER, TenantScoped, type TenantFilterParams } from './entities/tenant-scoped.entity.js';

/** A write that would cross tenants: a bug of ours, never a client error. */
export class CrossTenantWrite extends Error {}

/**
 * Flush-time check on every tenant-scoped row created or changed through the unit of
 * work: its tenant is the request's (the `tenant` filter's), and every loaded entity it
 * references belongs to that tenant too. References that were never loaded are covered
 * by the composite (tenant_id, …) foreign keys in the database.
 */
export class TenantWriteCheck implements EventSubscriber {
  onFlush({ em, uow }: FlushEventArgs): void {
    const scope = tenantScope(em);
    for (const changeSet of uow.getChangeSets()) {
      const { entity, meta, type } = changeSet;
      if (!(entity instanceof TenantScoped) || (type !== ChangeSetType.CREATE && type !== ChangeSetType.UPDATE))
        continue;
      const tenantId = entity.tenant.id;
      if (scope?.tenantId !== undefined && scope.tenantId !== tenantId) {
        throw new CrossTenantWrite(
          `${meta.className} of tenant ${tenantId} written in a request of tenant ${scope.tenantId}`,
        );
      }
      for (const relation of meta.relations) {
        if (relation.kind !== ReferenceKind.MANY_TO_ONE || relation.name === 'tenant') continue;
        const target: unknown = Reflect.get(entity, relation.name);
        if (target instanceof TenantScoped && wrap(target).isInitialized() && target.tenant.id !== tenantId) {
          throw new CrossTenantWrite(`${meta.className}.${relation.name} references a row of another tenant`);
        }
      }
    }
  }
}

/** MikroORM types filter parameters as always set; outside a tenant request there are none. */
function tenantScope(em: EntityManager): Partial<TenantFilterParams> | undefined {
  return em.getFilterParams<Partial<TenantFilterParams>>(TENANT_FILTER);
}
