/** `timed(label, work)`: runs `work` and reports through `progress` how long it took. */
export function timer(progress: (message: string) => void) {
  return async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await work();
    progress(`${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };
}
