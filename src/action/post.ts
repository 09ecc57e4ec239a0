// Action post step: stops whatever server the main step left running (it was killed,
// cancelled or crashed). Best effort: it warns, it never fails the job; off Linux it does nothing.
import * as core from '@actions/core';
import { errorMessage } from '../errors.js';
import { stopProcessGroup } from '../server/stop.js';
import { isSameProcess, parseSavedServers } from './serverState.js';
import { platformRefusal } from './platform.js';

async function post(): Promise<void> {
  // Elsewhere the main step refused before starting anything: nothing to stop.
  if (platformRefusal(process.platform)) return;
  for (const saved of parseSavedServers(core.getState('servers'))) {
    if (!isSameProcess(saved)) continue;
    const result = await stopProcessGroup(saved.pid, saved.signal);
    core.warning(
      `Post step stopped a server the main step left running (pid ${saved.pid}, ${result.stoppedBy})` +
        (result.leftovers.length ? `; still alive: ${result.leftovers.join(', ')}` : ''),
    );
  }
}

post().catch((err) => core.warning(`Post step could not clean up: ${errorMessage(err)}`));
