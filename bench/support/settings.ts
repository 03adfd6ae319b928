// The benchmarks' settings come from the environment; a malformed one stops the run at once.

function read(name: string): string | undefined {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

/** `name` as a whole number ≥ 1, or `fallback` when unset. */
export function positiveInteger(name: string, fallback: number): number {
  const raw = read(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** `name` as a number > 0, or `fallback` when unset. */
export function positiveNumber(name: string, fallback: number): number {
  const raw = read(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

/** `name` as given, or `fallback` when unset or empty. */
export function stringValue(name: string, fallback: string): string {
  return read(name) ?? fallback;
}
