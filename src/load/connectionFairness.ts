// Pure: did the server serve every connection of one trial, or leave some waiting?
//
// A server that keeps serving the kept-alive connections it accepted first (uWSGI's raw
// --http11-socket: each worker stays on one connection) answers a few connections thousands of
// times and the others never: its latency figures then cover only the lucky connections, and
// the others' requests end as timeouts. Counting responses per connection is what sees it; a
// reference generator like wrk does not (it never counts a request that got no answer).
//
// The rule, measured on these machines (2 vCPU, 16 connections, 0.5 s trials, 40-150 per server):
// - Fair servers keep every connection near its share: the least-served connection got 39% of
//   an even share (gunicorn sync, 5 workers), 51% (gthread 2x4), 64% (waitress), 88% (uWSGI's
//   HTTP router). uWSGI --http11-socket with 2 processes: 14 of 16 connections got nothing.
// - A rare slow path longer than the trial (2% of requests sleep 0.8 s in 0.5 s trials) stalls
//   connections at random: in 230 trials at most 2 of 16 got nothing, and at most 4 of 16 got
//   under a twentieth of their share (a stall is memoryless, so low counts are not rare).
// So a connection is starved when it got nothing or under 1% of an even share (a random stall
// must then come within the first 1% of its requests or be the very first: about 2% per
// connection above), and a trial is unevenly served when at least a third of its connections
// (and at least 2) were starved: at 2% per connection, 6 of 16 together is about one trial in
// two million (none of the 230). uWSGI's
// raw socket starves connections - processes (11 of 16 with the 5 processes of 2 cores, 7 with
// the 9 of 4), so its trials are all found; a server that starves fewer than a third is not.
// Only trials with at least 20 responses per connection on average are judged: with fewer, a
// fair server can leave a connection empty-handed by chance (one slow request). One stalled
// connection is never enough (a slow request does that), so trials of 2 connections are not judged.

/** A connection with fewer responses than this fraction of an even share was starved. */
export const STARVED_SHARE_FRACTION = 1 / 100;
/** Starved connections needed, as a fraction of all, for the trial to count as unevenly served. */
export const UNEVEN_CONNECTIONS_FRACTION = 1 / 3;
/** Below this many responses per connection on average, a trial is not judged. */
export const MIN_MEAN_RESPONSES = 20;

export interface UnevenService {
  connections: number;
  /** Connections that got under STARVED_SHARE_FRACTION of an even share. */
  starved: number;
  /** Of those, connections that got no response at all. */
  none: number;
  /** Responses per connection of an even share (total / connections). */
  share: number;
}

/** The finding when the trial served its connections unevenly; undefined when it did not, or cannot be judged. */
export function unevenService(responsesPerConnection: readonly number[] | undefined): UnevenService | undefined {
  const counts = responsesPerConnection ?? [];
  const connections = counts.length;
  if (connections < 3) return undefined;
  const share = counts.reduce((a, b) => a + b, 0) / connections;
  if (share < MIN_MEAN_RESPONSES) return undefined;
  const starved = counts.filter((c) => c < share * STARVED_SHARE_FRACTION);
  if (starved.length < Math.max(2, Math.ceil(connections * UNEVEN_CONNECTIONS_FRACTION))) return undefined;
  return { connections, starved: starved.length, none: starved.filter((c) => c === 0).length, share };
}
