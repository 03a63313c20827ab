// Small numeric helpers shared by the benchmark sections.

/** The median (lower middle for an even count); NaN for no samples. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

/** a ÷ b rounded to 3 decimals. */
export function ratio(a: number, b: number): number {
  return round(a / b, 3);
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Wall milliseconds of an async call, with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = process.hrtime.bigint();
  const result = await fn();
  return [result, Number(process.hrtime.bigint() - started) / 1e6];
}

/** Two-core hosts are shared: the 1-minute load average, printed beside every figure. */
export async function loadAverage(): Promise<number> {
  const { readFile } = await import("node:fs/promises");
  return Number((await readFile("/proc/loadavg", "utf8")).split(" ")[0]);
}

/** Maps with at most `parallel` calls at a time (2 cores: hundreds of nsenter at once would thrash). */
export async function inBatches<T, R>(items: T[], fn: (item: T) => Promise<R>, parallel = 8): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return results;
}
