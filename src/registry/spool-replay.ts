import type { CommitSink } from '../sink.js';
import type { CommitLoop } from './commit-loop.js';
import { Flight } from './flight.js';
import { replicaUrlsOf } from './replica-delivery.js';

/**
 * Queues the points a previous registry left in the loop's spool, once a sink is known. Returns
 * false when there was nothing to replay (no spool, no sink, or an empty replay).
 */
export function replaySpool(loop: CommitLoop, sink: CommitSink | undefined): boolean {
  const spool = loop.spool;
  if (spool === undefined || sink === undefined || !spool.hasReplay()) return false;
  const urls = replicaUrlsOf(sink);
  for (const r of spool.takeReplay()) {
    // replicated: each server is sent only what it did not store before the restart
    if (urls?.every((u) => r.hosts.includes(u))) {
      spool.settled(r.tag);
      continue;
    }
    const f = new Flight(undefined, r.className, r.lineCount, sink, true, r.tag);
    loop.trackHosts(f, r.hosts);
    loop.flights.add(f);
    loop.pendingPoints += f.n;
    loop.spilled += f.n;
    loop.run(f);
  }
  return true;
}
