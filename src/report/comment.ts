// Pure renderer of the PR comment: the job summary's Markdown (report/summary.ts) under a
// hidden marker that finds it again on the next run, with a footer that links the run.
// GitHub refuses comment bodies over 65,536 characters, so a long report is shortened in
// steps that keep what a reviewer needs most: first the folded details go, then whole
// sections from the end, and only then is the text cut; the comment says what was left out
// and where the full report is.
import { code } from './markdown.js';

/** GitHub's limit on the body of an issue or pull request comment. */
export const COMMENT_LIMIT = 65536;

const MARKER_RE = /^<!-- wsgi-perf-gate:([\w.:/-]{1,100}) -->/;

/** The hidden first line that identifies one gate's comment on a pull request. */
export function commentMarker(key: string): string {
  if (!/^[\w.:/-]{1,100}$/.test(key)) throw new Error(`comment key ${JSON.stringify(key)} has characters a marker cannot hold`);
  return `<!-- wsgi-perf-gate:${key} -->`;
}

/** The key of a comment body written by this action, or undefined for any other comment. */
export function markerKey(body: string): string | undefined {
  return MARKER_RE.exec(body)?.[1];
}

/** A comment key from free text (a job id, a user's id): what a marker cannot hold becomes `_`. */
export function commentKey(text: string): string {
  return text.replace(/[^\w.:/-]/g, '_').slice(0, 100) || 'default';
}

export interface CommentOptions {
  key: string;
  /** The commit the report is about (the pull request's head). */
  commit?: string;
  /** The workflow run, whose job summary holds the full report. */
  runUrl?: string;
  /** Body size limit in characters (GitHub's by default; smaller in tests). */
  limit?: number;
}

const DETAILS_RE = /^<details>[\s\S]*?^<\/details>\n*/gm;
// A section starts at a `## ` or `### ` heading (each scenario has one).
const SECTION_RE = /\n(?=#{2,3} )/;

export function renderComment(summary: string, opts: CommentOptions): string {
  const limit = opts.limit ?? COMMENT_LIMIT;
  const marker = commentMarker(opts.key);
  const runLink = opts.runUrl && /^https?:\/\/[^\s()<>]+$/.test(opts.runUrl) ? opts.runUrl : undefined;
  const footer = [
    opts.commit ? `for commit ${code(opts.commit.slice(0, 12))}` : undefined,
    runLink ? `[workflow run](${runLink})` : undefined,
  ].filter(Boolean);
  const footerLine = `<sub>wsgi-perf-gate${footer.length ? ` · ${footer.join(' · ')}` : ''}</sub>`;
  const assemble = (text: string, note?: string) =>
    [marker, text.trimEnd(), '', ...(note ? [note, ''] : []), footerLine].join('\n') + '\n';
  const whereFull = `The full report is in the job summary${runLink ? ` of the [workflow run](${runLink})` : ''} and in the results file (\`results-file\` output).`;
  const shortened = (what: string) => `> [!NOTE]\n> Shortened to fit GitHub's limit of ${limit.toLocaleString('en-US')} characters for a comment: ${what}. ${whereFull}`;

  const full = assemble(summary);
  if (full.length <= limit) return full;

  // 1. Without the folded details (settings, reasons, charts).
  const folded = summary.replace(DETAILS_RE, '').replace(/\n{3,}/g, '\n\n');
  const note1 = shortened('the folded details were left out');
  if (assemble(folded, note1).length <= limit) return assemble(folded, note1);

  // 2. Whole sections from the end; the verdict, regressions and baseline come first and stay.
  const [head = '', ...sections] = folded.split(SECTION_RE);
  for (let keep = sections.length - 1; keep >= 0; keep--) {
    const note = shortened(`the folded details and the last ${sections.length - keep} of ${sections.length} sections were left out`);
    const text = [head, ...sections.slice(0, keep)].join('\n');
    if (assemble(text, note).length <= limit) return assemble(text, note);
  }

  // 3. The verdict section alone is too long (thousands of regressions): cut it at a line.
  const note = shortened('the report was cut here');
  const room = limit - assemble('', note).length - 1;
  const cut = head.slice(0, Math.max(0, room));
  return assemble(cut.slice(0, Math.max(0, cut.lastIndexOf('\n'))), note);
}
