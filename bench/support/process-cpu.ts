import { readdir, readFile } from 'node:fs/promises';

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

/** The fields of /proc/<pid>/stat after "pid (comm) " (state is the first), or undefined. */
async function statFields(pid: number | string): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by a process and its children: its own, its children that exited
 * (cutime, cstime), and those still running. For PostgreSQL, whose backends are children of
 * the postmaster (`pid`, the first line of `<data>/postmaster.pid`); undefined without /proc.
 */
export async function treeCpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const own = await statFields(pid);
  if (!own) return undefined;
  // utime, stime, cutime, cstime: fields 14 to 17, here 11 to 14.
  let ticks = own.slice(11, 15).reduce((sum, field) => sum + Number(field), 0);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = await statFields(entry);
    // The parent's pid is field 4, here 1.
    if (fields && Number(fields[1]) === pid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return Number.isFinite(ticks) ? ticks / CLOCK_TICKS_PER_SECOND : undefined;
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
