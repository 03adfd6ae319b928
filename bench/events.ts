// What the tenant event log costs and how fast it delivers (issue 22, "Done means", the
// benchmark bullet). Run with `npm run bench:events` (builds first). Two tables:
//
// 1. Task PATCH throughput with the event write vs without: this checkout's app against a
//    build of the same commit (HEAD) whose `EventLog.record` drops what it is given, so
//    nothing is numbered, appended or notified; or, with EVENTS_BASELINE_REF set, against
//    a build of that commit (29321c0: the parent of 199ecc1, where the event log arrived,
//    which also lacks what came after it, such as workflow states). Either is built in a
//    temporary git worktree that shares this checkout's node_modules.
//    Both run at once on one embedded PostgreSQL, each on its own fresh database, as
//    deployed (see stack.ts), each seeded through its API, and are loaded in turn with
//    framework-overhead's PATCH plan (one task per connection, `If-Match` from its last
//    ETag): a warm-up each, then BENCH_ROUNDS rounds, alternating who goes first; the table
//    shows each one's median run. Target: at least 85 % of the requests per second kept.
// 2. EVENTS_STREAMS open SSE streams of one tenant on one instance (this checkout's app):
//    the app's RSS before and after opening them, then EVENTS_CHANGES task PATCHes one after
//    another, EVENTS_PAUSE_MS apart, and for every (stream, event) pair the time from the
//    PATCH's answer (its commit) to the event's arrival on that stream. Target: every event
//    on every stream, p99 at most 1 s.
//
// Not measured here: "1 000 changes delivered to a local webhook receiver" (the webhooks are
// built on another branch; see docs/benchmarks.md, "Events").
//
// Settings (environment): BENCH_CONNECTIONS (32), BENCH_DURATION seconds per measured run
// (10), BENCH_WARMUP (3), BENCH_ROUNDS (3), DATABASE_POOL_MAX (10, both apps),
// EVENTS_BASELINE_REF (unset: HEAD without the event write), EVENTS_STREAMS (1000), EVENTS_CHANGES (50),
// EVENTS_PAUSE_MS (100), EVENTS_PARTS (`throughput,streams`: one of them runs it alone).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { databaseUrl, ensureDatabase } from '../src/database/embedded-postgres.ts';
import { Cleanup } from './support/cleanup.ts';
import { load, medianRun, type LoadResult } from './support/load.ts';
import { cpuSeconds, rssKilobytes } from './support/process-cpu.ts';
import { seed, type SeededData } from './support/seed.ts';
import { positiveInteger, stringValue } from './support/settings.ts';
import { ROOT, startApp, startPostgres, type Server } from './support/stack.ts';
import { median, percentile } from './support/stats.ts';
import { markdownTable } from './support/table.ts';
import { TARGETS, type Target } from './support/targets.ts';

const run = promisify(execFile);

/** Issue 22: at least 85 % of the PATCH throughput kept; streams get each event within 1 s (p99). */
const TARGET_RATIO = 0.85;
const TARGET_P99_MS = 1_000;
/** How long the last events may take to reach every stream before the missing ones count as lost. */
const DELIVERY_GRACE_MS = 10_000;
/** Streams being opened at once. */
const OPENING_AT_ONCE = 50;
/**
 * Members besides the owner in each app's seed: the PATCH plan spreads its connections over
 * the writers' tokens only, and every registration hashes a password (bcrypt, cost 12), the
 * slowest part of seeding; 4 give 4 writers (owner, admin, two members) and a viewer.
 */
const SEED_MEMBERS = 4;
/** Building the baseline, starting, seeding and teardown together stay well under this; the load comes on top. */
const FIXED_BUDGET_MS = 600_000;

const parts = new Set(
  stringValue('EVENTS_PARTS', 'throughput,streams')
    .split(',')
    .map((part) => part.trim()),
);
for (const part of parts) {
  if (part !== 'throughput' && part !== 'streams') {
    throw new Error(`EVENTS_PARTS takes throughput and/or streams, got "${part}"`);
  }
}
const settings = {
  connections: positiveInteger('BENCH_CONNECTIONS', 32),
  seconds: positiveInteger('BENCH_DURATION', 10),
  warmupSeconds: positiveInteger('BENCH_WARMUP', 3),
  rounds: positiveInteger('BENCH_ROUNDS', 3),
  poolMax: positiveInteger('DATABASE_POOL_MAX', 10),
  baselineRef: process.env.EVENTS_BASELINE_REF,
  streams: positiveInteger('EVENTS_STREAMS', 1000),
  changes: positiveInteger('EVENTS_CHANGES', 50),
  pauseMs: positiveInteger('EVENTS_PAUSE_MS', 100),
  throughput: parts.has('throughput'),
  sse: parts.has('streams'),
};

const progress = (message: string): void => {
  process.stderr.write(`[events] ${message}\n`);
};
const cleanup = new Cleanup(progress);

const PATCH_TARGET = TARGETS.find((target) => target.route.startsWith('PATCH'));

// ---------------------------------------------------------------------------------------
// The baseline build

/** Where the baseline build stops recording events: the first line of `EventLog.record`. */
const RECORD_SIGNATURE = '  record(actor: EventActor, ...events: NewEvent[]): void {\n';

/**
 * `git worktree add --detach` of `ref` (HEAD without the event write when unset), with this
 * checkout's node_modules, built with Nest's CLI; removed by `cleanup`.
 */
async function buildBaseline(ref: string | undefined): Promise<{ root: string; commit: string; label: string }> {
  const { stdout } = await run('git', ['rev-parse', '--short', `${ref ?? 'HEAD'}^{commit}`], { cwd: ROOT });
  const commit = stdout.trim();
  const dir = await mkdtemp(path.join(tmpdir(), 'yello-events-baseline-'));
  cleanup.add('remove the baseline folder', () => rm(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'app');
  progress(`building ${commit} (${ref ?? 'HEAD without the event write'}) in a temporary worktree, ${root}`);
  await run('git', ['worktree', 'add', '--detach', root, commit], { cwd: ROOT });
  cleanup.add('remove the baseline worktree', async () => {
    await run('git', ['worktree', 'remove', '--force', root], { cwd: ROOT });
  });
  await symlink(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  if (ref === undefined) {
    const eventLog = path.join(root, 'src/modules/events/event-log.ts');
    const source = await readFile(eventLog, 'utf8');
    if (!source.includes(RECORD_SIGNATURE))
      throw new Error(`EventLog.record not found in ${eventLog}: update RECORD_SIGNATURE`);
    await writeFile(
      eventLog,
      source.replace(
        RECORD_SIGNATURE,
        `${RECORD_SIGNATURE}    if (events.length >= 0) return; // bench/events.ts: the build without the event write\n`,
      ),
    );
  }
  const started = performance.now();
  try {
    await run(process.execPath, [path.join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build'], {
      cwd: root,
      env: { PATH: process.env.PATH },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const output = (name: string) => {
      const value: unknown = typeof error === 'object' && error !== null ? Reflect.get(error, name) : undefined;
      return typeof value === 'string' ? value : '';
    };
    throw new Error(`building ${commit} failed:\n${output('stdout')}${output('stderr')}`, { cause: error });
  }
  if (!existsSync(path.join(root, 'dist/main.js'))) throw new Error(`building ${commit} left no dist/main.js`);
  progress(`built ${commit} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return { root, commit, label: ref === undefined ? `${commit} without the event write` : `${commit} (no event log)` };
}

// ---------------------------------------------------------------------------------------
// Table 1: PATCH throughput with and without the event write

interface Measured extends LoadResult {
  cpuPerRequest: number | undefined;
}

interface Contender {
  server: Server;
  data: SeededData;
  label: string;
  runs: Measured[];
}

function patchTarget(): Target {
  if (!PATCH_TARGET) throw new Error('targets.ts has no PATCH route');
  return PATCH_TARGET;
}

async function patchRun(contender: Contender, seconds: number): Promise<Measured> {
  const target = patchTarget();
  const { server, data } = contender;
  await target.prepare?.(server.base, data);
  const cpuBefore = await cpuSeconds(server.child.pid);
  const result = await load({
    base: server.base,
    connections: settings.connections,
    seconds,
    client: (index) => target.client(data, index),
  });
  const cpuAfter = await cpuSeconds(server.child.pid);
  const requests = result.ok + result.bad;
  const cpuPerRequest =
    cpuBefore === undefined || cpuAfter === undefined || requests === 0
      ? undefined
      : ((cpuAfter - cpuBefore) * 1e6) / requests;
  return { ...result, cpuPerRequest };
}

async function throughput(
  withEvents: Contender,
  without: Contender,
): Promise<{ text: string; pass: boolean; valid: boolean }> {
  const contenders = [withEvents, without];
  for (const contender of contenders) {
    const warmup = await patchRun(contender, settings.warmupSeconds);
    if (warmup.bad > 0) {
      throw new Error(
        `${contender.label}: ${warmup.bad} failed PATCHes during warm-up (${warmup.badDetail}); ` +
          `its last output:\n${contender.server.child.tail()}`,
      );
    }
  }
  for (let round = 0; round < settings.rounds; round++) {
    // Alternate who goes first, so neither side always runs on a warmer (or busier) machine.
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const contender of order) {
      const result = await patchRun(contender, settings.seconds);
      contender.runs.push(result);
      progress(
        `${contender.label} (run ${round + 1}/${settings.rounds}): ${Math.round(result.requestsPerSecond)} req/s, ` +
          `p50 ${result.p50} ms, p99 ${result.p99} ms` +
          (result.cpuPerRequest === undefined ? '' : `, ${Math.round(result.cpuPerRequest)} µs of CPU per request`) +
          (result.bad > 0 ? `, FAILED RESPONSES: ${result.badDetail}` : ''),
      );
    }
  }
  const summary = (contender: Contender) => {
    const cpu = contender.runs.map((run) => run.cpuPerRequest).filter((value) => value !== undefined);
    return {
      ...medianRun(contender.runs),
      cpu: cpu.length === contender.runs.length ? String(Math.round(median(cpu))) : '–',
      each: contender.runs.map((run) => Math.round(run.requestsPerSecond)).join(', '),
    };
  };
  const on = summary(withEvents);
  const off = summary(without);
  const ratio = on.requestsPerSecond / off.requestsPerSecond;
  const valid = on.bad + off.bad === 0;
  const pass = ratio >= TARGET_RATIO;
  const row = (label: string, result: ReturnType<typeof summary>, verdict: string) => [
    label,
    Math.round(result.requestsPerSecond).toString(),
    result.each,
    String(result.p50),
    String(result.p99),
    result.cpu,
    String(result.bad),
    verdict,
  ];
  const text = markdownTable(
    ['app', 'req/s', 'runs req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'non-2xx+errors', 'kept'],
    [
      row(withEvents.label, on, `${(ratio * 100).toFixed(1)} % ${valid ? (pass ? 'PASS' : 'FAIL') : 'INVALID'}`),
      row(without.label, off, '100 %'),
    ],
  );
  return { text, pass, valid };
}

// ---------------------------------------------------------------------------------------
// Table 2: open SSE streams

/** One SSE stream of the tenant: when each event (by `seq`) arrived, and, for the probe, which task version it carries. */
class EventStream {
  readonly arrivals = new Map<number, number>();
  /** seq → `data.task.version` of task events (kept by the probe stream only). */
  readonly versions = new Map<number, number>();
  private buffer = '';
  private request: http.ClientRequest | undefined;

  private readonly probe: boolean;

  constructor(probe: boolean) {
    this.probe = probe;
  }

  /** Resolves once the app answered 200 (the stream is subscribed). */
  open(url: string, token: string, agent: http.Agent): Promise<void> {
    return new Promise((resolve, reject) => {
      const request = http.get(
        url,
        { agent, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } },
        (response) => {
          response.setEncoding('utf8');
          if (response.statusCode !== 200) {
            let body = '';
            response.on('data', (chunk: string) => (body += chunk));
            response.on('end', () => reject(new Error(`stream answered ${response.statusCode}: ${body}`)));
            return;
          }
          response.on('data', (chunk: string) => this.receive(chunk, performance.now()));
          resolve();
        },
      );
      request.on('error', reject);
      this.request = request;
    });
  }

  close(): void {
    this.request?.destroy();
  }

  private receive(chunk: string, at: number): void {
    this.buffer += chunk;
    let end = this.buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.message(block, at);
      end = this.buffer.indexOf('\n\n');
    }
  }

  private message(block: string, at: number): void {
    let seq: number | undefined;
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('id:')) seq = Number(line.slice(3).trim());
      else if (this.probe && line.startsWith('data:')) data += line.slice(5).trim();
    }
    if (seq === undefined || !Number.isInteger(seq)) return; // a heartbeat comment
    if (!this.arrivals.has(seq)) this.arrivals.set(seq, at);
    if (!this.probe || data === '') return;
    const parsed: unknown = JSON.parse(data);
    const version = field(field(field(parsed, 'data'), 'task'), 'version');
    if (typeof version === 'number') this.versions.set(seq, version);
  }
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, name) : undefined;
}

/** The app's RSS in MB: the median of three samples half a second apart (it moves with every collection). */
async function rssMegabytes(server: Server): Promise<number> {
  const samples: number[] = [];
  for (let sample = 0; sample < 3; sample++) {
    if (sample > 0) await sleep(500);
    const kilobytes = await rssKilobytes(server.child.pid);
    if (kilobytes === undefined) throw new Error('no /proc/<pid>/status for the app: RSS is measured on Linux only');
    samples.push(kilobytes / 1024);
  }
  return median(samples);
}

async function patchTask(
  server: Server,
  data: SeededData,
  token: string,
  version: number,
  status: string,
): Promise<number> {
  const response = await fetch(`${server.base}/api/v1/tenants/${data.tenantId}/tasks/${data.task.key}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': `"${version}"` },
    body: JSON.stringify({ status }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const etag = /^"(\d+)"$/.exec(response.headers.get('etag') ?? '')?.[1];
  if (response.status !== 200 || etag === undefined) {
    throw new Error(`PATCH ${data.task.key} answered ${response.status}: ${text.slice(0, 500)}`);
  }
  return Number(etag);
}

async function readVersion(server: Server, data: SeededData, token: string): Promise<number> {
  const response = await fetch(`${server.base}/api/v1/tenants/${data.tenantId}/tasks/${data.task.key}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  const version = field(await response.json(), 'version');
  if (response.status !== 200 || typeof version !== 'number') throw new Error(`reading ${data.task.key} failed`);
  return version;
}

async function streams(server: Server, data: SeededData): Promise<{ text: string; pass: boolean }> {
  const owner = data.members[0];
  if (!owner) throw new Error('no owner');
  const url = `${server.base}/api/v1/tenants/${data.tenantId}/events/stream`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const opened: EventStream[] = [];
  cleanup.add('close the streams', () => {
    for (const stream of opened) stream.close();
    agent.destroy();
    return Promise.resolve();
  });

  await sleep(2_000); // let what came before settle
  const rssBefore = await rssMegabytes(server);
  progress(`app RSS ${rssBefore.toFixed(1)} MB; opening ${settings.streams} streams, ${OPENING_AT_ONCE} at a time`);
  const openStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(OPENING_AT_ONCE, settings.streams) }, async () => {
      while (next < settings.streams) {
        const stream = new EventStream(next++ === 0);
        opened.push(stream);
        await stream.open(url, owner.accessToken, agent);
      }
    }),
  );
  const openSeconds = (performance.now() - openStarted) / 1000;
  await sleep(2_000);
  const rssAfter = await rssMegabytes(server);
  const perStreamKb = ((rssAfter - rssBefore) * 1024) / settings.streams;
  progress(
    `${opened.length} streams open in ${openSeconds.toFixed(1)} s; app RSS ${rssAfter.toFixed(1)} MB ` +
      `(${perStreamKb.toFixed(1)} kB per stream)`,
  );

  progress(`${settings.changes} PATCHes of ${data.task.key}, ${settings.pauseMs} ms apart`);
  let version = await readVersion(server, data, owner.accessToken);
  const answeredAt = new Map<number, number>(); // task version → when its PATCH was answered
  const patchMs: number[] = [];
  for (let change = 0; change < settings.changes; change++) {
    await sleep(settings.pauseMs);
    const sent = performance.now();
    version = await patchTask(server, data, owner.accessToken, version, change % 2 === 0 ? 'in_progress' : 'todo');
    const answered = performance.now();
    answeredAt.set(version, answered);
    patchMs.push(answered - sent);
  }

  const probe = opened[0];
  if (!probe) throw new Error('no stream opened');
  const expected = settings.streams * settings.changes;
  const countArrived = () => {
    const seqs = [...probe.versions].filter(([, v]) => answeredAt.has(v)).map(([seq]) => seq);
    return opened.reduce((sum, stream) => sum + seqs.filter((seq) => stream.arrivals.has(seq)).length, 0);
  };
  const deadline = performance.now() + DELIVERY_GRACE_MS;
  while (probe.versions.size < settings.changes || countArrived() < expected) {
    if (performance.now() > deadline) break;
    await sleep(100);
  }

  const latencies: number[] = [];
  let early = 0;
  for (const [seq, v] of probe.versions) {
    const answered = answeredAt.get(v);
    if (answered === undefined) continue;
    for (const stream of opened) {
      const arrived = stream.arrivals.get(seq);
      if (arrived === undefined) continue;
      // A stream's chunk can be read before the PATCH's answer is: it arrived no later than the answer.
      if (arrived < answered) early++;
      latencies.push(Math.max(0, arrived - answered));
    }
  }
  const arrived = latencies.length;
  const p99 = percentile(latencies, 99);
  const pass = arrived === expected && p99 <= TARGET_P99_MS;
  progress(`${arrived} of ${expected} (stream, event) pairs arrived (${early} before the PATCH's answer was read)`);
  for (const stream of opened) stream.close();

  const text = markdownTable(
    [
      'streams',
      'opened in s',
      'RSS before MB',
      'RSS after MB',
      'RSS per stream kB',
      'changes',
      'PATCH p50 ms',
      'arrived',
      'commit→receipt p50 ms',
      'p99 ms',
      'max ms',
      `all, p99 ≤ ${TARGET_P99_MS} ms`,
    ],
    [
      [
        String(settings.streams),
        openSeconds.toFixed(1),
        rssBefore.toFixed(1),
        rssAfter.toFixed(1),
        perStreamKb.toFixed(1),
        String(settings.changes),
        String(percentile(patchMs, 50)),
        `${arrived} / ${expected}`,
        String(percentile(latencies, 50)),
        String(p99),
        String(Math.round(Math.max(0, ...latencies))),
        pass ? 'PASS' : 'FAIL',
      ],
    ],
  );
  return { text, pass };
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const loadMs = settings.throughput ? 2 * (settings.warmupSeconds + settings.rounds * settings.seconds) * 1000 : 0;
  // Nothing may hang: past its budget the run stops everything and fails.
  setTimeout(() => {
    progress(`watchdog: still running after ${Math.round((FIXED_BUDGET_MS + loadMs) / 1000)} s, giving up`);
    void cleanup.exit(1);
  }, FIXED_BUDGET_MS + loadMs).unref();

  const baseline = settings.throughput ? await buildBaseline(settings.baselineRef) : undefined;
  const { serverUrl } = await startPostgres(cleanup, progress);
  const jwtSecret = randomBytes(32).toString('base64url');
  const database = async (name: string) => {
    await ensureDatabase(serverUrl, name);
    return databaseUrl(serverUrl, name);
  };

  progress('starting the app (dist/main.js) on database yello_events');
  const app = await startApp(cleanup, { url: await database('yello_events'), poolMax: settings.poolMax, jwtSecret });
  progress(`seeding the app through its API: 1 tenant, ${SEED_MEMBERS + 1} members, 2 projects, tasks`);
  const appData = await seed(app.base, SEED_MEMBERS, settings.connections + 2);
  const { stdout: head } = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT });

  const loadBefore = loadavg()[0] ?? 0;
  const out: string[] = [''];
  let failed = 0;
  if (baseline) {
    progress(`starting ${baseline.commit} (its dist/main.js) on database yello_baseline`);
    const old = await startApp(cleanup, {
      url: await database('yello_baseline'),
      poolMax: settings.poolMax,
      jwtSecret,
      root: baseline.root,
      name: `app@${baseline.commit}`,
    });
    progress(`seeding ${baseline.commit} through its API`);
    const oldData = await seed(old.base, SEED_MEMBERS, settings.connections + 2);
    progress(
      `PATCH load: ${settings.connections} connections, ${settings.warmupSeconds} s warm-up + ` +
        `${settings.rounds} × ${settings.seconds} s per app`,
    );
    const result = await throughput(
      { server: app, data: appData, label: `${head.trim()} (event log)`, runs: [] },
      { server: old, data: oldData, label: baseline.label, runs: [] },
    );
    await old.child.stop(); // the streams are measured on the app alone
    if (!result.valid || !result.pass) failed++;
    out.push(
      'Task PATCH throughput with the event write vs without',
      `Node ${process.version}, ${availableParallelism()} CPUs (load average ${loadBefore.toFixed(2)} before the load, ` +
        `${(loadavg()[0] ?? 0).toFixed(2)} after), one embedded PostgreSQL, a database and a pool of ${settings.poolMax} ` +
        `per app, NODE_ENV=production, LOG_LEVEL=info; autocannon on 127.0.0.1, ${settings.connections} connections ` +
        `(one task each, If-Match its last ETag), median of ${settings.rounds} runs of ${settings.seconds} s per app ` +
        `(alternating which goes first) after ${settings.warmupSeconds} s of warm-up; target ≥ ${TARGET_RATIO * 100} % kept`,
      '',
      result.text,
      '',
    );
  }
  if (settings.sse) {
    const result = await streams(app, appData);
    if (!result.pass) failed++;
    out.push(
      `${settings.streams} open SSE streams on one instance`,
      `${settings.streams} streams of one tenant (node:http, one socket each) on ${head.trim()}, ` +
        `${settings.changes} task PATCHes ${settings.pauseMs} ms apart; commit→receipt is from the PATCH's answer ` +
        `to the event's arrival, over every (stream, event) pair; RSS is the app's VmRSS; load average ` +
        (loadavg()[0] ?? 0).toFixed(2),
      '',
      result.text,
      '',
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
  progress(failed > 0 ? `FAIL or INVALID: ${failed} table(s) missed their target (see above)` : 'PASS');
  return failed > 0 ? 1 : 0;
}

await cleanup.runMain(main);
