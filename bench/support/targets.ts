// The routes the benchmark compares, and what each connection sends to them.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientPlan } from './load.ts';
import { SEARCH_TERMS, type BenchTask, type BenchUser, type SeededData } from './seed.ts';

export interface Target {
  route: string;
  /** Writes change data, so their bodies are compared with ids, keys, positions and times masked. */
  write: boolean;
  /** The plan of connection `index`; `prepare` has run before (against the same server). */
  client(data: SeededData, index: number): ClientPlan;
  /** Before each load run: read what the plans need (the current version of each PATCH target). */
  prepare?(base: string, data: SeededData): Promise<void>;
}

const API = '/api/v1';
const IN_FLIGHT_GRACE_MS = 3_000;

function get(path: string, token: string): ClientPlan {
  return { method: 'GET', path, headers: { authorization: `Bearer ${token}` } };
}

/** Owners, admins and members: who may create and change tasks. */
export function writers(data: SeededData): BenchUser[] {
  return data.members.filter((member) => member.role !== 'viewer');
}

function tokenFor(users: readonly BenchUser[], index: number): string {
  const user = users[index % users.length];
  if (!user) throw new Error('no users to send requests as');
  return user.accessToken;
}

export const taskPath = (data: SeededData) => `${API}/tenants/${data.tenantId}/tasks/${data.task.key}`;
export const listPath = (data: SeededData) =>
  `${API}/tenants/${data.tenantId}/projects/${data.projectId}/tasks?status=todo,in_progress&limit=20`;
export const blockedListPath = (data: SeededData) =>
  `${API}/tenants/${data.tenantId}/projects/${data.projectId}/tasks?blocked=true&limit=20`;
export const deepListPath = (data: SeededData) => `${listPath(data)}&cursor=${data.listCursor}`;
export const searchPath = (data: SeededData) =>
  `${API}/tenants/${data.tenantId}/tasks?q=${encodeURIComponent(SEARCH_TERMS)}&limit=20`;

/** The state of each PATCH target task, as last answered by the server under test. */
const patchState = new Map<string, { version: number; status: 'todo' | 'in_progress' }>();

async function readTask(
  base: string,
  token: string,
  data: SeededData,
  task: BenchTask,
): Promise<{ version: number; status: 'todo' | 'in_progress' }> {
  const response = await fetch(`${base}${API}/tenants/${data.tenantId}/tasks/${task.key}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  const body: unknown = await response.json();
  const version: unknown = typeof body === 'object' && body !== null ? Reflect.get(body, 'version') : undefined;
  const status: unknown = typeof body === 'object' && body !== null ? Reflect.get(body, 'status') : undefined;
  if (response.status !== 200 || typeof version !== 'number' || (status !== 'todo' && status !== 'in_progress')) {
    throw new Error(`reading ${task.key} before PATCH runs: ${response.status} ${JSON.stringify(body)}`);
  }
  return { version, status };
}

/** A connection's PATCH: its own task, `If-Match` its last ETag, the status flipped each time. */
export function patchPlan(data: SeededData, task: BenchTask, token: string): ClientPlan {
  const state = patchState.get(task.id);
  if (!state) throw new Error(`${task.key} was not prepared`);
  const body = () => JSON.stringify({ status: state.status === 'todo' ? 'in_progress' : 'todo' });
  return {
    method: 'PATCH',
    path: `${API}/tenants/${data.tenantId}/tasks/${task.key}`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': `"${state.version}"` },
    body: body(),
    next: () => ({ headers: { 'if-match': `"${state.version}"` }, body: body() }),
    onResponse: (status, headers) => {
      if (status !== 200) return;
      const etag = /^"(\d+)"$/.exec(headers.etag ?? '');
      if (etag?.[1]) state.version = Number(etag[1]);
      state.status = state.status === 'todo' ? 'in_progress' : 'todo';
    },
  };
}

export async function preparePatch(base: string, data: SeededData, tasks: readonly BenchTask[]): Promise<void> {
  // The previous run's last requests may still be in flight (autocannon stops waiting, the server does not).
  await sleep(IN_FLIGHT_GRACE_MS);
  const owner = data.members[0];
  if (!owner) throw new Error('no owner');
  await Promise.all(
    tasks.map(async (task) => patchState.set(task.id, await readTask(base, owner.accessToken, data, task))),
  );
}

export const CREATE_BODY = JSON.stringify({ title: 'Created by the benchmark', priority: 'medium' });

export const TARGETS: readonly Target[] = [
  {
    route: 'GET /tenants/{t}/tasks/{key}',
    write: false,
    client: (data, index) => get(taskPath(data), tokenFor(data.members, index)),
  },
  {
    route: 'GET /tenants/{t}/tasks/{key} (API token)',
    write: false,
    client: (data, index) => get(taskPath(data), data.apiTokens[index % data.apiTokens.length] ?? ''),
  },
  {
    route: 'GET …/projects/{p}/tasks?status=todo,in_progress&limit=20',
    write: false,
    client: (data, index) => get(listPath(data), tokenFor(data.members, index)),
  },
  {
    route: 'GET …/projects/{p}/tasks?status=…&limit=20&cursor=(page 2)',
    write: false,
    client: (data, index) => get(deepListPath(data), tokenFor(data.members, index)),
  },
  {
    route: `GET /tenants/{t}/tasks?q=${SEARCH_TERMS.replace(' ', '+')}&limit=20`,
    write: false,
    client: (data, index) => get(searchPath(data), tokenFor(data.members, index)),
  },
  {
    route: 'GET /tenants/{t}',
    write: false,
    client: (data, index) => get(`${API}/tenants/${data.tenantId}`, tokenFor(data.members, index)),
  },
  {
    route: 'GET /tenants/{t}/members?limit=20',
    write: false,
    client: (data, index) => get(`${API}/tenants/${data.tenantId}/members?limit=20`, tokenFor(data.members, index)),
  },
  {
    route: 'POST /tenants/{t}/projects/{p}/tasks',
    write: true,
    client: (data, index) => ({
      method: 'POST',
      path: `${API}/tenants/${data.tenantId}/projects/${data.writeProjectId}/tasks`,
      headers: { authorization: `Bearer ${tokenFor(writers(data), index)}`, 'content-type': 'application/json' },
      body: CREATE_BODY,
    }),
  },
  {
    route: 'PATCH /tenants/{t}/tasks/{key} (If-Match, status)',
    write: true,
    prepare: (base, data) => preparePatch(base, data, data.writeTasks.slice(2)),
    client: (data, index) => {
      // Tasks 0 and 1 are the response comparison's; each connection has one of its own.
      const task = data.writeTasks[2 + index];
      if (!task) throw new Error(`no PATCH task for connection ${index}`);
      return patchPlan(data, task, tokenFor(writers(data), index));
    },
  },
];
