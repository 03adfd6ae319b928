// The statements of `PostgresRateLimitStore`, free of decorators so that the benchmark
// (`npm run bench:limits`, plain Node) runs exactly these. Placeholders are MikroORM's `?`.

/** PostgreSQL's clock in epoch milliseconds: one clock for every instance. */
const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/**
 * Counts in one statement, under the row lock of its key, so parallel attempts on any
 * instances cannot overshoot: drops the expired hits, and appends one unless `limit` are
 * live. Returns nothing when the window is full.
 */
const TAKE_SQL = `
with clock as (select ${NOW_MS} as now)
insert into rate_limit_counters as c (key, hits, expires_at)
select ?, array[clock.now + ?], to_timestamp((clock.now + ?) / 1000.0) from clock
on conflict (key) do update
  set hits = array(select h from unnest(c.hits) as h where h > (select now from clock)) || excluded.hits,
      expires_at = greatest(c.expires_at, excluded.expires_at)
  where (select count(*) from unnest(c.hits) as h where h > (select now from clock)) < ?
returning c.hits[cardinality(c.hits)] as slot, cardinality(c.hits) as count,
  (select min(h) from unnest(c.hits) as h) - (select now from clock) as oldest_ms`;

/** Milliseconds until the `limit`-th newest live hit expires (room for one more); no row while under `limit`. */
const FULL_FOR_SQL = `
select h - ${NOW_MS} as ms from rate_limit_counters, unnest(hits) as h
where key = ? and h > ${NOW_MS} order by h desc offset ? limit 1`;

/** Removes one occurrence of the slot's hit. */
const RELEASE_SQL = `
update rate_limit_counters
set hits = hits[:array_position(hits, ?::bigint) - 1] || hits[array_position(hits, ?::bigint) + 1:]
where key = ? and ?::bigint = any(hits)`;

export interface TakeRow {
  /** The hit counted (its expiry, epoch ms), which `RELEASE` takes back. */
  slot: string;
  /** Live hits, this one included. */
  count: number;
  /** Milliseconds until the oldest live hit expires. */
  oldest_ms: string;
}

export const TAKE = {
  sql: TAKE_SQL,
  params: (key: string, limit: number, windowMs: number): unknown[] => [key, windowMs, windowMs, limit],
};

export const FULL_FOR = {
  sql: FULL_FOR_SQL,
  params: (key: string, limit: number): unknown[] => [key, limit - 1],
};

export const RELEASE = {
  sql: RELEASE_SQL,
  params: (key: string, slot: number): unknown[] => [slot, slot, key, slot],
};
