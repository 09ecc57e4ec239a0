// Which CPython a running worker is, read from the files it has mapped (libpython3.12.so, or a
// statically linked python3.12). Under Valgrind /proc/<pid>/exe is Valgrind's tool, so the maps
// are what tells. The perf trampoline that names Python functions exists from 3.12 on.
import { readFileSync } from 'node:fs';

/** "3.12" from the text of /proc/<pid>/maps, or undefined when no CPython is mapped. */
export function pythonVersionInMaps(maps: string): string | undefined {
  const m = /\/(?:lib)?python(3\.\d+)(?:[a-z]*)?(?:\.so[.\d]*)?\s*$/m.exec(maps);
  return m?.[1];
}

export function pythonVersionOf(pid: number): string | undefined {
  try {
    return pythonVersionInMaps(readFileSync(`/proc/${pid}/maps`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Whether CPython of this version has the perf trampoline (3.12+). */
export function hasPerfTrampoline(version: string | undefined): boolean {
  if (!version) return false;
  const [major, minor] = version.split('.').map(Number);
  return major! > 3 || (major === 3 && minor! >= 12);
}
