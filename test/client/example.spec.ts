import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { withServer } from '../../src/database/embedded-postgres.js';
import { useTestApp } from '../support/test-app.js';

/**
 * `client/example.ts`, run as its header says (`node client/example.ts <base URL>`) against
 * the app listening on a port: the documented example cannot break silently.
 */
describe('the typed-client example', () => {
  const t = useTestApp();

  it('registers, signs in, creates a tenant, a project and a task, moves the task and lists it', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['client/example.ts', t.baseUrl]);

    const lines = stdout.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^registered ada-[0-9a-f]{8}@example\.com$/),
      'signed in as Ada Lovelace',
      expect.stringMatching(/^tenant Acme \([0-9a-f-]{36}\), role owner$/),
      'project WEB: Website relaunch',
      'task WEB-1 created: todo',
      'task WEB-1 now in_progress',
      'open tasks: WEB-1 in_progress "Draft the launch announcement"',
    ]);
    // What it wrote is in the database.
    const tenantId = /\(([0-9a-f-]{36})\)/.exec(lines[2] ?? '')?.[1];
    const tasks = await withServer(t.config.database.url, async (client) => {
      const { rows } = await client.query(
        `select p.key as project, t.key, t.status, t.priority
           from tasks t join projects p on p.id = t.project_id where t.tenant_id = $1`,
        [tenantId],
      );
      return rows;
    });
    expect(tasks).toEqual([{ project: 'WEB', key: 'WEB-1', status: 'in_progress', priority: 'high' }]);
  });
});
