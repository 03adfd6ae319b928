import { readFile } from 'node:fs/promises';

/** Linux's USER_HZ: the unit of the CPU times in /proc/<pid>/stat (100 on every common build). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system, every thread) a process has used so far, from
 * /proc/<pid>/stat; undefined where there is no /proc (not Linux) or the process is gone.
 */
export async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state is field 3, utime field 14 and stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** A process's resident set size in kB (VmRSS of /proc/<pid>/status); undefined where there is no /proc or the process is gone. */
export async function rssKilobytes(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kilobytes = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
    return Number.isFinite(kilobytes) ? kilobytes : undefined;
  } catch {
    return undefined;
  }
}
