// One password-hashing process (see BcryptProcesses): bcrypt at the lowest scheduling
// priority, so a login storm spends the CPU that requests (and PostgreSQL) leave idle.
import bcrypt from 'bcrypt';
import { writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nicest value there is: weight 15 against a normal process's 1024 (Linux). */
const LOWEST_PRIORITY = 19;

export type BcryptRequest = { op: 'hash'; data: string; cost: number } | { op: 'compare'; data: string; hash: string };
export type BcryptJob = BcryptRequest & { id: number };
export type BcryptResult = { id: number; value: string | boolean } | { id: number; error: string };

try {
  setPriority(LOWEST_PRIORITY);
} catch {
  // Not permitted here: hashing still works, at normal priority.
}
try {
  // This process leads its own session (started detached), so with Linux's autogroup
  // scheduling it is a group of its own, competing with each PostgreSQL backend's group:
  // its nice value only counts within that group, the group's is set here.
  writeFileSync('/proc/self/autogroup', String(LOWEST_PRIORITY));
} catch {
  // Not Linux, or autogroup scheduling off: the process's own nice value is what counts.
}

// The parent closing the channel (its shutdown, or its death) ends this process.
process.on('disconnect', () => process.exit(0));

process.on('message', (job: BcryptJob) => {
  let result: BcryptResult;
  try {
    const value = job.op === 'hash' ? bcrypt.hashSync(job.data, job.cost) : bcrypt.compareSync(job.data, job.hash);
    result = { id: job.id, value };
  } catch (error) {
    result = { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  process.send?.(result);
});
