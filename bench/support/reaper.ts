// Started detached by the benchmark, with an IPC channel, for the one case its own cleanup
// cannot run: the benchmark killed with SIGKILL (or crashing hard). Its app and baseline
// children then stop by themselves (exit-with-parent.ts), but PostgreSQL would stay up.
// When the channel closes, this stops the PostgreSQL found in the benchmark's temporary
// folder, if any, and removes the folder. After a normal run there is nothing left to do.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const dir = process.argv[2] ?? '';
if (!dir) throw new Error('usage: reaper.ts <temporary folder>');

function postmasterPid(): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0] ?? '');
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function reap(): Promise<void> {
  const pid = postmasterPid();
  if (pid !== undefined && isAlive(pid)) {
    process.kill(pid, 'SIGINT'); // PostgreSQL's "fast" shutdown
    for (let waited = 0; waited < 10_000 && isAlive(pid); waited += 100) await sleep(100);
  }
  await rm(dir, { recursive: true, force: true });
}

process.once('disconnect', () => {
  reap().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
