import type { Precision } from '../line-protocol/precision.js';

/** Wire format of query responses: `'msgpack'` (default, exact and faster) or `'json'`. */
export type ResponseFormat = 'msgpack' | 'json';

/** The top-level object of a /query response. */
export interface RawResponse {
  results?: import('./result-set.js').RawResult[];
  error?: string;
}

/** Options shared by the decoders. */
export interface DecodeOptions {
  /** The `epoch` of the query: the time column is an integer in this precision. */
  epoch?: Precision | undefined;
}

/** True when times in this epoch are returned as bigint (`n`, `ns`, `u`), false for coarser ones. */
export function epochIsBig(epoch: Precision | undefined): boolean {
  return epoch === 'n' || epoch === 'ns' || epoch === 'u';
}

/**
 * Applies the time-column contract to a decoded response in place: with an `epoch` of `n`, `ns` or
 * `u` every integer time becomes a bigint (small values arrive as exact numbers).
 */
export function normalizeEpochTimes(response: RawResponse, epoch: Precision | undefined): void {
  if (!epochIsBig(epoch) || !Array.isArray(response.results)) return;
  for (const result of response.results) {
    if (!Array.isArray(result.series)) continue;
    for (const series of result.series) {
      const t = series.columns?.indexOf('time') ?? -1;
      if (t < 0 || !Array.isArray(series.values)) continue;
      for (const row of series.values) {
        const v = row[t];
        if (typeof v === 'number') row[t] = BigInt(v);
      }
    }
  }
}
