// Makes autocannon measure servers that close the connection after each response
// (gunicorn's sync worker, uWSGI --http-socket, any HTTP/1.0 reply).
//
// autocannon writes the next request on the same socket as soon as a response completes.
// When that response said "Connection: close", the request goes to a socket the server is
// closing: it is lost, its start time stays queued, and the next response on the new
// connection is charged with it (we measured p50 = 1,248 ms where wrk saw 5 ms).
// This hook, installed through autocannon's `setupClient` option:
// - holds the next request until autocannon reconnects, and starts every connection with a
//   clean parser and request queue;
// - completes responses whose body ends with the connection (no Content-Length, as wsgiref
//   and a Django app without CommonMiddleware send): autocannon never tells its parser about
//   the end of the stream, so it waited for them until the request timed out;
// - tells apart the keep-alive race: a server that closes a kept-alive connection without
//   saying so (uWSGI --http-socket answers HTTP/1.1 without "Connection: close") resets the
//   request that was already on its way. No byte of a response was lost, and HTTP clients
//   retry such a request (RFC 9112, 9.3.1), so it is counted apart, not as a server error;
// - counts the requests a connection cut: the server closed it (a worker that crashed or
//   exited mid-request) while a request had no complete response, and it was not such a race.
//   autocannon reconnects silently then, so without this a crashing server shows no error.

/** The parts of autocannon's (untyped) Client that the hook touches. */
interface AutocannonClient {
  on(event: 'headers', listener: (info: { shouldKeepAlive?: boolean }) => void): void;
  on(event: 'response', listener: () => void): void;
  _doRequest(...args: unknown[]): void;
  _connect(): void;
  parser: { reinitialize(type: string): void; finish(): unknown; type: string };
  pipelinedRequests: { clear(): void; size(): number };
  conn: {
    prependListener(event: 'end', listener: () => void): void;
    prependListener(event: 'data', listener: (chunk: Buffer) => void): void;
    prependListener(event: 'error', listener: (err: Error) => void): void;
  };
}

export interface CloseAwareState {
  /** True while the error being emitted is a keep-alive race, not a failure of the server. */
  lastErrorWasKeepAliveRace: boolean;
}

export interface CloseAwareHooks {
  /** The server ended a connection (FIN) while a request on it had no complete response. */
  onRequestCut?(): void;
  /** The same, as a keep-alive race: nothing of a response was on its way. */
  onKeepAliveRaceAtClose?(): void;
}

export function setupCloseAwareClient(raw: unknown, hooks: CloseAwareHooks = {}): CloseAwareState {
  const client = raw as AutocannonClient;
  const state: CloseAwareState = { lastErrorWasKeepAliveRace: false };
  let serverWillClose = false;
  let responsesOnConnection = 0;
  let bytesSinceLastResponse = 0;
  client.on('headers', (info) => {
    serverWillClose = info.shouldKeepAlive === false;
  });
  client.on('response', () => {
    responsesOnConnection++;
    bytesSinceLastResponse = 0;
  });

  const doRequest = client._doRequest;
  client._doRequest = function (...args: unknown[]) {
    // The reconnect that follows the server's close sends this request instead.
    if (serverWillClose) return;
    doRequest.apply(this, args);
  };

  const connect = client._connect;
  client._connect = function () {
    serverWillClose = false;
    responsesOnConnection = 0;
    bytesSinceLastResponse = 0;
    // A connection that broke mid-response leaves a half-parsed message and a queued
    // request behind; neither belongs to the new connection.
    this.parser.reinitialize(this.parser.type);
    this.pipelinedRequests.clear();
    connect.call(this);
    // These run before autocannon's own handlers of the same events.
    const parser = this.parser;
    this.conn.prependListener('data', (chunk) => {
      bytesSinceLastResponse += chunk.length;
    });
    const queue = this.pipelinedRequests;
    this.conn.prependListener('end', () => {
      // A body read until EOF is complete now, before autocannon reconnects.
      try {
        parser.finish();
      } catch {
        // a half-sent response: the request below is still unanswered, so it counts as cut
      }
      if (queue.size() === 0) return;
      if (responsesOnConnection > 0 && bytesSinceLastResponse === 0) hooks.onKeepAliveRaceAtClose?.();
      else hooks.onRequestCut?.();
    });
    this.conn.prependListener('error', () => {
      state.lastErrorWasKeepAliveRace = responsesOnConnection > 0 && bytesSinceLastResponse === 0;
    });
  };
  return state;
}
