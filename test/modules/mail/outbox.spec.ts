import { simpleParser } from 'mailparser';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { registerUser } from '../../factories/users.js';
import { useTestApp } from '../../support/test-app.js';

const dataDir = await mkdtemp(path.join(tmpdir(), 'yello-outbox-'));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('mail without SMTP_URL (the local default)', () => {
  const t = useTestApp({ JOB_CONCURRENCY: '1', DATA_DIR: dataDir, APP_URL: 'https://app.yello.example/' });

  it('writes each mail to <DATA_DIR>/outbox as an .eml file, links from APP_URL', async () => {
    const user = await registerUser(t.http);
    const outbox = path.join(dataDir, 'outbox');
    let files: string[] = [];
    for (let waited = 0; files.length === 0 && waited < 10_000; waited += 50) {
      await sleep(50);
      files = await readdir(outbox).catch(() => []);
    }
    expect(files).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d-]+Z-[0-9a-f]{8}\.eml$/)]);
    const mail = await simpleParser(await readFile(path.join(outbox, files[0] ?? '')));
    expect(mail.subject).toBe('Yello: confirm your email address');
    expect(mail.headers.get('to')).toMatchObject({ text: user.email });
    expect(mail.text).toMatch(/https:\/\/app\.yello\.example\/verify-email\?token=[\w-]{43}/);
    expect(mail.html).toContain('https://app.yello.example/verify-email?token=');
  });
});
