import { readdirSync, readFileSync } from 'node:fs';
import type { PasswordHashingGate } from '../../../src/modules/auth/password-hasher.js';
import { registerUser, uniqueEmail } from '../../factories/users.js';
import { built } from '../../support/built.js';
import { useTestApp } from '../../support/test-app.js';

const hashing = await built('./modules/auth/password-hasher.js');

/** Holds one slot of the gate (running or queued) until released. */
function occupy(gate: PasswordHashingGate): { release: () => void; done: Promise<void> } {
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { release, done: gate.run(() => held) };
}

/** This process's children running the bcrypt worker, with their nice value and session (Linux `/proc`). */
function hashingProcesses(): { nice: number; leadsSession: boolean }[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from field 3 (state) on
        const isWorker = readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('bcrypt.worker');
        if (Number(fields[1]) !== process.pid || !isWorker) return [];
        return [{ nice: Number(fields[16]), leadsSession: Number(fields[3]) === Number(pid) }];
      } catch {
        return []; // exited while listed
      }
    });
}

describe('password hashing under load', () => {
  const t = useTestApp({ PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '1' });

  it('answers 503 with Retry-After at once when every hashing slot and the queue are taken', async () => {
    const user = await registerUser(t.http);
    const gate = t.app.get(hashing.PasswordHashingGate);
    const running = occupy(gate);
    const queued = occupy(gate);
    try {
      for (const [path, body] of [
        ['/api/v1/auth/login', { email: user.email, password: user.password }],
        ['/api/v1/auth/login', { email: uniqueEmail(), password: user.password }],
        ['/api/v1/auth/register', { email: uniqueEmail(), name: 'Busy', password: 'correct horse battery staple' }],
      ] as const) {
        const response = await t.http.post(path).send(body).expect(503);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.headers['retry-after']).toBe('1');
        expect(response.body).toMatchObject({ status: 503, type: 'urn:yello:problem:service-busy' });
      }
    } finally {
      running.release();
      queued.release();
      await Promise.all([running.done, queued.done]);
    }
    // A refusal is not a failed login: the same credentials work once there is room.
    await t.http.post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(200);
  });

  it('queues a request while a slot is taken, and runs it when the slot frees', async () => {
    const user = await registerUser(t.http);
    const gate = t.app.get(hashing.PasswordHashingGate);
    const running = occupy(gate);
    const login = t.http.post('/api/v1/auth/login').send({ email: user.email, password: user.password }).then();
    // The login is queued behind the held slot (queue of one), not refused.
    await new Promise((resolve) => setTimeout(resolve, 200));
    running.release();
    await running.done;
    expect((await login).status).toBe(200);
  });

  (process.platform === 'linux' ? it : it.skip)(
    'hashes in a process of its own session at the lowest priority, stopped with the app',
    async () => {
      await registerUser(t.http);
      expect(hashingProcesses()).toEqual([{ nice: 19, leadsSession: true }]);
      await t.app.get(hashing.BcryptProcesses).onApplicationShutdown();
      expect(hashingProcesses()).toEqual([]);
    },
  );
});
