// Edge: boots a target behind nginx. The WSGI server starts first on its own loopback port and
// must answer; then nginx starts with a generated config (nginxConfig.ts) in a directory that
// also holds its logs, and must answer through to the app. The pair is one RunningServer:
// its pid is the WSGI server's (memory and CPU figures stay the app's), its URL is nginx's,
// and stopping it stops nginx, then the WSGI server.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServerError } from '../errors.js';
import type { Target } from '../types.js';
import { nginxConfig } from './nginxConfig.js';
import { startServer, waitUntilReady, type RunningServer, type StartOptions } from './server.js';

/** nginx on PATH, else Debian's /usr/sbin/nginx (not on a non-root user's PATH). */
export function nginxBinary(): string {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).some((d) => d && existsSync(path.join(d, 'nginx')));
  return onPath || !existsSync('/usr/sbin/nginx') ? 'nginx' : '/usr/sbin/nginx';
}
const MIME_TYPES = '/etc/nginx/mime.types';

export interface ProxyBootOptions extends Omit<StartOptions, 'port' | 'logFile'> {
  /** The port nginx listens on (the target's URL port). */
  frontPort: number;
  backendPort: number;
  /** Where the config and logs go (a temporary directory when not given). */
  dir?: string;
  backendLogFile?: string;
  /** Boots and waits for the WSGI server on backendPort. */
  bootBackend(target: Target, port: number): Promise<RunningServer>;
}

export async function bootBehindNginx(target: Target, opts: ProxyBootOptions): Promise<RunningServer> {
  const backend = await opts.bootBackend({ ...target, url: 'http://127.0.0.1:$PORT' }, opts.backendPort);
  try {
    const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'perf-gate-nginx-'));
    mkdirSync(dir, { recursive: true });
    const confFile = path.join(dir, 'nginx.conf');
    writeFileSync(
      confFile,
      nginxConfig({
        dir,
        listenPort: opts.frontPort,
        backendPort: opts.backendPort,
        staticUrl: target.proxy?.staticUrl,
        staticDir: target.proxy?.staticDir,
        mimeTypes: existsSync(MIME_TYPES) ? MIME_TYPES : undefined,
        // Started as root, nginx would switch its workers to `nobody`, which cannot read a
        // workspace that belongs to the job's user; keep the user that started it.
        user: process.getuid?.() === 0 ? 'root root' : undefined,
      }),
    );
    const front: Target = {
      ...target,
      name: `${target.name} (nginx)`,
      command: `${nginxBinary()} -p ${JSON.stringify(dir)} -c ${JSON.stringify(confFile)} -e ${JSON.stringify(path.join(dir, 'error.log'))}`,
      url: 'http://127.0.0.1:$PORT',
      env: {},
      stopSignal: 'SIGTERM',
      preset: undefined,
      proxy: undefined,
    };
    let nginx: RunningServer;
    try {
      nginx = await startServer(front, { ...opts, port: opts.frontPort, logFile: path.join(dir, 'nginx.out.log') });
    } catch (err) {
      throw new ServerError(`Target "${target.name}": nginx could not start (is the nginx package installed?): ${(err as Error).message}`);
    }
    try {
      await waitUntilReady(nginx);
    } catch (err) {
      await nginx.stop(5_000);
      throw err;
    }
    return {
      ...backend,
      baseUrl: nginx.baseUrl,
      port: nginx.port,
      command: `${nginx.command} in front of ${backend.command}`,
      exitInfo: () => backend.exitInfo() ?? nginx.exitInfo(),
      logTail: (lines) => `${backend.logTail(lines)}\n--- nginx (${dir}) ---\n${nginx.logTail(lines)}`,
      async stop(graceMs) {
        await nginx.stop(graceMs);
        return backend.stop(graceMs);
      },
    };
  } catch (err) {
    await backend.stop(5_000);
    throw err;
  }
}
