// Makes autocannon measure servers that close the connection after each response
// (gunicorn's sync worker, uWSGI --http-socket, any HTTP/1.0 reply).
//
// autocannon writes the next request on the same socket as soon as a response completes.
// When that response said "Connection: close", the request goes to a socket the server is
// closing: it is lost, its start time stays queued, and the next response on the new
// connection is charged with it (we measured p50 = 1,248 ms where wrk saw 5 ms).
// This hook, installed through autocannon's `setupClient` option, holds the next request
// until autocannon reconnects, and starts every connection with a clean parser and queue.

/** The parts of autocannon's (untyped) Client that the hook touches. */
interface AutocannonClient {
  on(event: 'headers', listener: (info: { shouldKeepAlive?: boolean }) => void): void;
  _doRequest(...args: unknown[]): void;
  _connect(): void;
  parser: { reinitialize(type: string): void; type: string };
  pipelinedRequests: { clear(): void };
}

export function setupCloseAwareClient(raw: unknown): void {
  const client = raw as AutocannonClient;
  let serverWillClose = false;
  client.on('headers', (info) => {
    serverWillClose = info.shouldKeepAlive === false;
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
    // A connection that broke mid-response leaves a half-parsed message and a queued
    // request behind; neither belongs to the new connection.
    this.parser.reinitialize(this.parser.type);
    this.pipelinedRequests.clear();
    connect.call(this);
  };
}
