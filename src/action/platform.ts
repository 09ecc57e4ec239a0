// Pure: whether this runner's platform is one wsgi-perf-gate supports. The measuring parts read
// Linux's /proc (process liveness and trees, threads, sockets), pin CPUs with taskset and start
// servers through /bin/sh, so on macOS or Windows a run would fail late or leave servers
// running; it is refused in its first second instead, with what to use.

/** The runners the action supports, as a workflow names them. */
export const SUPPORTED_RUNNERS = 'Linux runners (runs-on: ubuntu-latest, ubuntu-24.04, ubuntu-22.04, or a self-hosted Linux runner)';

const NAMES: Partial<Record<NodeJS.Platform, string>> = { darwin: 'macOS', win32: 'Windows' };

const INSTEAD = {
  action: 'Run this job on ubuntu-latest (the other jobs of an OS matrix can stay; waitress runs on Linux too).',
  cli: 'Run it on Linux, in a Linux container or in a GitHub job on ubuntu-latest; `compare` works here.',
};

/** The one line that refuses this platform, or undefined on Linux. */
export function platformRefusal(platform: NodeJS.Platform, where: keyof typeof INSTEAD = 'action'): string | undefined {
  if (platform === 'linux') return undefined;
  const name = NAMES[platform] ?? platform;
  return `${where === 'cli' ? 'measuring runs' : 'wsgi-perf-gate runs'} on ${SUPPORTED_RUNNERS}, not on ${name}: it reads Linux's /proc to follow the server's processes. ${INSTEAD[where]}`;
}
