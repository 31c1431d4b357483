/**
 * Load helpers: run a number of tasks at a fixed concurrency and time HTTP requests.
 */

/**
 * Runs `task(0) … task(count - 1)` with at most `concurrency` in flight (each worker
 * takes the next index when it finishes one), and returns the results in index order.
 */
export async function runWithConcurrency<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('concurrency must be ≥ 1');
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** One timed HTTP request: status, parsed JSON body and milliseconds to the full body. */
export async function timedJson(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; json: Record<string, unknown>; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, init);
  const text = await response.text();
  const ms = performance.now() - started;
  return { status: response.status, json: parseJson(text), ms };
}

function parseJson(text: string): Record<string, unknown> {
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return { raw: text };
  }
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function pollUntil(
  check: () => Promise<boolean> | boolean,
  { timeoutMs, intervalMs }: { timeoutMs: number; intervalMs: number },
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
