/** Backoff settings of the client's retries. */
export interface RetryPolicy {
  /** Attempts per request; 0 = forever. */
  attempts: number;
  /** First backoff in ms (doubles each attempt, full jitter). */
  baseDelay: number;
  /** Largest backoff in ms, and the cap on a server's Retry-After. */
  maxDelay: number;
}

/**
 * The delay before attempt `attempt + 1` (attempt counts from 1): the server's `Retry-After` when it
 * gave one (capped at `maxDelay`), otherwise exponential backoff with full jitter.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), policy.maxDelay);
  const ceiling = Math.min(policy.maxDelay, policy.baseDelay * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling * (0.5 + Math.random() * 0.5));
}

/**
 * Parses a `Retry-After` header: delta-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`). Returns milliseconds from `now`, or undefined.
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Sleeps `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
