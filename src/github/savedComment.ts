// The PR comment saved as a file, for a pull request whose token cannot write (a fork): a
// companion workflow on `workflow_run` downloads it as an artifact and posts it with
// `mode: post-comment`. The file comes from a run of the pull request's code, so it is read
// as untrusted input: checked field by field here, and checked against the workflow_run
// event (same head commit, a pull request of this repository) before anything is posted.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { COMMENT_LIMIT, commentMarker } from '../report/comment.js';

export const SAVED_COMMENT_FORMAT = 'wsgi-perf-gate/pr-comment';
/** The file name inside a directory given as `comment-file` (e.g. where download-artifact put it). */
export const SAVED_COMMENT_NAME = 'comment.json';

const savedCommentSchema = z
  .object({
    format: z.literal(SAVED_COMMENT_FORMAT),
    version: z.literal(1),
    repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
    pullRequest: z.number().int().positive(),
    headSha: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/),
    key: z.string().regex(/^[\w.:/-]{1,100}$/),
    body: z.string().max(COMMENT_LIMIT),
    /** Whether the pull request run posted it itself (its token could write). */
    posted: z.boolean(),
  })
  .strict()
  .refine((c) => /^[\w.:/-]{1,100}$/.test(c.key) && c.body.startsWith(commentMarker(c.key)), { message: 'body does not start with the marker of its key', path: ['body'] });

export type SavedComment = z.infer<typeof savedCommentSchema>;

export function writeSavedComment(file: string, comment: Omit<SavedComment, 'format' | 'version'>): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const saved: SavedComment = { format: SAVED_COMMENT_FORMAT, version: 1, ...comment };
  writeFileSync(file, JSON.stringify(saved, null, 1) + '\n');
}

/**
 * Reads the saved comments: the file, or every comment*.json in a directory (where
 * download-artifact put the comments of one gate, or of several gates with `comment-id`).
 */
export function readSavedComments(fileOrDir: string): Array<{ file: string; comment: SavedComment }> {
  const where = `Input \`comment-file\` is ${JSON.stringify(fileOrDir)}`;
  if (!existsSync(fileOrDir)) {
    throw new ConfigError(`${where}: no such file or directory: expected the ${SAVED_COMMENT_NAME} that the pull request run saved (download its artifact first).`);
  }
  if (!statSync(fileOrDir).isDirectory()) return [readOne(fileOrDir, where)];
  const files = readdirSync(fileOrDir).filter((f) => /^comment.*\.json$/.test(f)).sort();
  if (!files.length) throw new ConfigError(`${where}: the directory has no ${SAVED_COMMENT_NAME} (or comment-ID.json): expected the files the pull request run saved.`);
  return files.map((f) => readOne(path.join(fileOrDir, f), where));
}

function readOne(file: string, where: string): { file: string; comment: SavedComment } {
  if (statSync(file).size > 4 * COMMENT_LIMIT + 4096) throw new ConfigError(`${where}: ${file} is too large to be a saved comment.`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new ConfigError(`${where}: ${file} is not valid JSON: expected a comment saved by wsgi-perf-gate.`);
  }
  const parsed = savedCommentSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(`${where}: ${file} is not a comment saved by wsgi-perf-gate (${problems}).`);
  }
  return { file, comment: parsed.data };
}
