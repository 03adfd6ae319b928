/**
 * Modules of the built app (`dist/`, by their path under it) and the packages it runs on, as
 * the app under test has them. The app runs outside Jest's module sandbox (see
 * `built-app-environment.js`), so a class a spec imports itself is another class than the
 * app's: a spec that hands the app a class (a provider to `app.get`, an entity to an
 * `EntityManager`) takes it from here.
 */
export interface BuiltModules {
  './app.factory.js': typeof import('../../src/app.factory.js');
  './bootstrap/local-defaults.js': typeof import('../../src/bootstrap/local-defaults.js');
  './config/configuration.js': typeof import('../../src/config/configuration.js');
  './common/housekeeping/housekeeping.service.js': typeof import('../../src/common/housekeeping/housekeeping.service.js');
  './modules/projects/entities/project.entity.js': typeof import('../../src/modules/projects/entities/project.entity.js');
  './modules/tasks/entities/label.entity.js': typeof import('../../src/modules/tasks/entities/label.entity.js');
  './modules/tasks/entities/task.entity.js': typeof import('../../src/modules/tasks/entities/task.entity.js');
  './modules/tenants/entities/membership.entity.js': typeof import('../../src/modules/tenants/entities/membership.entity.js');
  './modules/tenants/entities/tenant-scoped.entity.js': typeof import('../../src/modules/tenants/entities/tenant-scoped.entity.js');
  './modules/tenants/entities/tenant.entity.js': typeof import('../../src/modules/tenants/entities/tenant.entity.js');
  './modules/webhooks/webhook-dispatcher.js': typeof import('../../src/modules/webhooks/webhook-dispatcher.js');
  './modules/auth/password-hasher.js': typeof import('../../src/modules/auth/password-hasher.js');
  './modules/webhooks/webhook-sweep.js': typeof import('../../src/modules/webhooks/webhook-sweep.js');
  './database/embedded-postgres.js': typeof import('../../src/database/embedded-postgres.js');
  './database/transactions.js': typeof import('../../src/database/transactions.js');
  './modules/events/event-log.js': typeof import('../../src/modules/events/event-log.js');
  './common/http/problem-details.filter.js': typeof import('../../src/common/http/problem-details.filter.js');
  '@mikro-orm/postgresql': typeof import('@mikro-orm/postgresql');
  pg: typeof import('pg');
}

/**
 * Modules of `test/support/` loaded once per worker, outside the sandbox, like the app: for
 * state every spec file would otherwise build again. Their objects and errors are of another
 * realm than a spec's (supertest takes only an `Error` of its own realm as a failed assertion):
 * such a module hands back data, and the spec's side throws.
 */
export interface WorkerSupportModules {
  './openapi-conformance.ts': typeof import('./openapi-conformance.js');
}

declare global {
  // Set by the test environment.
  var importBuilt: (<M extends keyof BuiltModules>(specifier: M) => Promise<BuiltModules[M]>) | undefined;
  var importSupport: (<M extends keyof WorkerSupportModules>(file: M) => Promise<WorkerSupportModules[M]>) | undefined;
}

export function built<M extends keyof BuiltModules>(specifier: M): Promise<BuiltModules[M]> {
  if (!globalThis.importBuilt) throw new Error('Run the specs through Jest: its test environment loads the built app');
  return globalThis.importBuilt(specifier);
}

export function workerSupport<M extends keyof WorkerSupportModules>(file: M): Promise<WorkerSupportModules[M]> {
  if (!globalThis.importSupport) throw new Error('Run the specs through Jest: its test environment loads the support');
  return globalThis.importSupport(file);
}
