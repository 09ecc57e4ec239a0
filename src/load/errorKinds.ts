// Pure: a side's failed requests by kind, so an error rate is never a bare percentage: timeouts
// (no answer within the request timeout), resets, refused connections, connections the server
// closed under a request, and responses with an unexpected status (by code).
import type { ErrorKinds, Sample } from '../types.js';

/** connectionByCode key of requests whose connection the server closed before answering. */
export const REQUEST_CUT = 'closed-before-response';
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);
const REFUSED_CODES = new Set(['ECONNREFUSED']);

export function errorKinds(samples: Sample[]): ErrorKinds {
  const kinds: ErrorKinds = { timeouts: 0, resets: 0, refused: 0, closedBeforeResponse: 0, otherConnection: {}, badStatus: {} };
  for (const s of samples) {
    kinds.timeouts += s.errors.timeouts;
    let byCode = 0;
    for (const [code, n] of Object.entries(s.errors.connectionByCode ?? {})) {
      byCode += n;
      if (RESET_CODES.has(code)) kinds.resets += n;
      else if (REFUSED_CODES.has(code)) kinds.refused += n;
      else if (code === REQUEST_CUT) kinds.closedBeforeResponse += n;
      else kinds.otherConnection[code] = (kinds.otherConnection[code] ?? 0) + n;
    }
    // Records written before errors were split by code.
    const unsplit = s.errors.connection - byCode;
    if (unsplit > 0) kinds.otherConnection.unknown = (kinds.otherConnection.unknown ?? 0) + unsplit;
    for (const [status, n] of Object.entries(s.errors.badStatus)) kinds.badStatus[status] = (kinds.badStatus[status] ?? 0) + n;
  }
  return kinds;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** "12 timeouts, 3 resets, 2 × HTTP 503"; empty when nothing failed. */
export function describeErrorKinds(k: ErrorKinds): string {
  const parts = [
    k.timeouts ? plural(k.timeouts, 'timeout') : '',
    k.resets ? plural(k.resets, 'reset') : '',
    k.refused ? plural(k.refused, 'refused connection') : '',
    k.closedBeforeResponse ? plural(k.closedBeforeResponse, 'connection closed before the response', 'connections closed before the response') : '',
    ...Object.entries(k.otherConnection).map(([code, n]) => `${plural(n, 'connection error')} (${code})`),
    ...Object.entries(k.badStatus)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([status, n]) => `${n.toLocaleString('en-US')} × HTTP ${status}`),
  ];
  return parts.filter(Boolean).join(', ');
}
