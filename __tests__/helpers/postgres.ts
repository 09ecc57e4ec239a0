// A real PostgreSQL server for the queries tests (Debian's postgresql package): initdb into a
// temporary folder, pg_ctl start on a free loopback port, as the unprivileged user `nobody` when
// the tests run as root (PostgreSQL refuses to run as root). stop() stops it and removes the folder.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/server/server.js';

export interface Postgres {
  port: number;
  /** postgres://postgres@127.0.0.1:PORT/NAME */
  url(database?: string): string;
  createDatabase(name: string): void;
  stop(): void;
}

/** The newest installed PostgreSQL's bin directory. */
export function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl'))) : [];
  if (!versions.length) throw new Error('PostgreSQL is not installed (scripts/ensure-deps.sh test installs it)');
  return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0]!, 'bin');
}

export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-pg-'));
  const asRoot = process.getuid?.() === 0;
  const nobody = 65534;
  if (asRoot) chownSync(dir, nobody, nobody);
  const run = (tool: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : path.join(bin, tool), asRoot ? ['-u', 'nobody', '--', path.join(bin, tool), ...args] : args, {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
  const data = path.join(dir, 'data');
  const port = await freePort();
  const stop = () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    // -F: no fsync (a throwaway server); the socket in the folder, TCP on loopback only.
    run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '60', '-o', `-h 127.0.0.1 -p ${port} -k ${dir} -F`, 'start']);
  } catch (err) {
    stop();
    throw err;
  }
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    createDatabase: (name) => {
      execFileSync(path.join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-q', '-c', `CREATE DATABASE "${name}"`], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    },
    stop,
  };
}
