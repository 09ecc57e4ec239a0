// Pure: what a response gives away. Recognises the debug pages of the frameworks Python teams
// run (Django's technical 404/500 pages, the Werkzeug debugger) and Python stack traces, so a
// row can name the page that leaked rather than say "something looked odd".

/** A Server header that carries a version number (gunicorn/23.0.0, nginx/1.22.1, CPython/3.12). */
export function serverVersion(headers: Record<string, string>): string | undefined {
  const server = headers['server'];
  return server && /\d+\.\d+/.test(server) ? server : undefined;
}

const DJANGO_DEBUG = /seeing this error because you have <code>DEBUG = True<\/code>/;

/** The name of the debug page this body is, if it is one. */
export function debugPage(status: number | undefined, body: string): string | undefined {
  if (/Werkzeug Debugger|__debugger__/.test(body)) return 'the Werkzeug interactive debugger (Flask debug mode)';
  if (DJANGO_DEBUG.test(body)) {
    if (status === 404 || /Page not found/.test(body)) return 'Django\'s technical 404 page (DEBUG = True): it lists the URL patterns';
    return 'Django\'s technical 500 page (DEBUG = True): it shows the traceback, settings and request';
  }
  if (/<title>[^<]*Traceback[^<]*<\/title>|Django Version:<\/th>/.test(body)) return 'a debug error page with a traceback';
  return undefined;
}

/** The first line of a Python stack trace in the body, if there is one. */
export function stackTrace(body: string): string | undefined {
  const m = /Traceback \(most recent call last\)|File &quot;[^&]+\.py&quot;, line \d+|File "[^"]+\.py", line \d+/.exec(body);
  return m?.[0].replace(/&quot;/g, '"');
}
