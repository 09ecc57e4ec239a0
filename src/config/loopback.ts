// URL rules, pure: load goes to loopback only unless the user allows otherwise.
import net from 'node:net';
import { ConfigError } from '../errors.js';

/** Replaces $PORT (or ${PORT}) in a command or URL. */
export function substitutePort(text: string, port: number): string {
  return text.replace(/\$\{PORT\}|\$PORT\b/g, String(port));
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) return host === '::1' || host.startsWith('::ffff:127.');
  return false;
}

/** Parses a target URL (with $PORT standing for any port) and refuses non-loopback hosts. */
export function assertLoopbackUrl(url: string, allowRemote: boolean, inputName: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(substitutePort(url, 1));
  } catch {
    throw new ConfigError(`Input \`${inputName}\` is ${JSON.stringify(url)}: expected an http URL such as http://127.0.0.1:8000.`);
  }
  if (parsed.protocol !== 'http:') {
    throw new ConfigError(`Input \`${inputName}\` is ${JSON.stringify(url)}: expected an http:// URL (the load generator speaks plain HTTP/1.1).`);
  }
  if (!allowRemote && !isLoopbackHost(parsed.hostname)) {
    throw new ConfigError(
      `Input \`${inputName}\` is ${JSON.stringify(url)}: expected a loopback address (127.0.0.0/8, localhost or [::1]). ` +
        'Load is only sent to this machine; set `allow-remote: true` if you really mean to load another host.',
    );
  }
  return parsed;
}

/** The port a URL names explicitly, or undefined when it uses $PORT. */
export function explicitPort(url: string): number | undefined {
  if (/\$\{?PORT\b/.test(url)) return undefined;
  const parsed = new URL(url);
  return parsed.port ? Number(parsed.port) : 80;
}
