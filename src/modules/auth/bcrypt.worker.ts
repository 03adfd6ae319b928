// One password-hashing thread (see PasswordHasher): bcrypt at a lower scheduling priority,
// so a login storm spends the CPU that requests leave idle, not theirs.
import bcrypt from 'bcrypt';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';

/** A nice value: on Linux a thread's own (this thread only); elsewhere the call may fail, harmlessly. */
const LOWER_PRIORITY = 10;

export type BcryptRequest = { op: 'hash'; data: string; cost: number } | { op: 'compare'; data: string; hash: string };
export type BcryptJob = BcryptRequest & { id: number };
export type BcryptResult = { id: number; value: string | boolean } | { id: number; error: string };

try {
  setPriority(LOWER_PRIORITY);
} catch {
  // Not permitted here: hashing still works, at normal priority.
}

parentPort?.on('message', (job: BcryptJob) => {
  try {
    const value = job.op === 'hash' ? bcrypt.hashSync(job.data, job.cost) : bcrypt.compareSync(job.data, job.hash);
    parentPort?.postMessage({ id: job.id, value } satisfies BcryptResult);
  } catch (error) {
    parentPort?.postMessage({
      id: job.id,
      error: error instanceof Error ? error.message : String(error),
    } satisfies BcryptResult);
  }
});
