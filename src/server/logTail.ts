// The server writes straight into a log file (not a pipe to us), so it never depends on
// this process: if the main step is killed, the server keeps running until the post step
// stops it, instead of dying of SIGPIPE at a random moment. Error messages read the tail.
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';

/**
 * The last `lines` lines of a file (reads at most its last 64 KiB). Servers with several
 * workers print one traceback each and then their shutdown chatter, so the line that names
 * the error ("ModuleNotFoundError: ...") is often further up: it is put first when the tail
 * does not already show it.
 */
export function readTail(file: string, lines = 25): string {
  const all = readLastLines(file);
  const tail = all.slice(-lines);
  const errorLine = [...all].reverse().find((l) => /^\s*[\w.]*(Error|Exception)\b.*:/.test(l));
  if (errorLine && !tail.includes(errorLine)) tail.unshift(`${errorLine.trim()}   <- the last error, from further up`, '...');
  return tail.join('\n');
}

function readLastLines(file: string): string[] {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    return buf.toString('utf8').split(/\r?\n/).filter((l, i, all) => l !== '' || i < all.length - 1);
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** "What the server printed last", indented, for an error message. */
export function formatTail(tail: string): string {
  const body = tail.trim() ? tail.split('\n').map((l) => `    ${l}`).join('\n') : '    (the server printed nothing)';
  return `Last lines of the server's output:\n${body}`;
}
