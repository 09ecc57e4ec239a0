// Tells the commit: each new finding of the watch over main is posted as a comment on the
// commit it names (the first bad commit when bisect found it, else the first recorded push
// after the change; creep on the pushed commit). Best effort: a comment that cannot be posted is
// a warning, never a failed run; the job summary has every finding either way.
import { errorMessage } from '../errors.js';
import type { Logger } from '../pipeline/executePlan.js';
import { newFindings, type WatchReport } from '../changes/watch.js';
import { renderWatchComment } from '../report/watch.js';
import { commentOnCommit, gitHubClient } from './api.js';

export async function postWatchComments(input: { report: WatchReport; repository: string; headSha: string; token: string; runUrl?: string; log: Logger }): Promise<string[]> {
  const { report, log } = input;
  const found = newFindings(report);
  const bySha = new Map<string, WatchReport>();
  const add = (sha: string, part: Partial<Pick<WatchReport, 'changePoints' | 'creep'>>) => {
    const r = bySha.get(sha) ?? { ...report, changePoints: [], creep: [] };
    r.changePoints.push(...(part.changePoints ?? []));
    r.creep.push(...(part.creep ?? []));
    bySha.set(sha, r);
  };
  for (const cp of found.changePoints) add(cp.bisect?.firstBad ?? cp.commit, { changePoints: [cp] });
  if (found.creep.length) add(input.headSha, { creep: found.creep });
  if (!bySha.size) return [];
  if (!input.token || !input.repository) {
    log.warning('The watch over main found something new, but there is no github-token or repository to comment on the commit with; see the job summary.');
    return [];
  }
  const client = gitHubClient(input.token, { warn: log.warning });
  const urls: string[] = [];
  for (const [sha, part] of bySha) {
    const body = renderWatchComment(part, input.runUrl);
    if (!body) continue;
    try {
      const posted = await commentOnCommit(client, input.repository, sha, body);
      log.info(`Watch over main: commented on commit ${sha.slice(0, 12)}: ${posted.url}`);
      urls.push(posted.url);
    } catch (err) {
      log.warning(`Watch over main: could not comment on commit ${sha.slice(0, 12)} (${errorMessage(err)}); the finding is in the job summary. Commenting needs \`permissions: contents: write\`.`);
    }
  }
  return urls;
}
