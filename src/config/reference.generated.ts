// Generated from action.yml by `npm run schemas` (scripts/reference.ts): do not edit.
// The action's inputs and outputs as the code knows them: the did-you-mean check of input
// names and the command line's flags and help read this list.

export interface ReferenceEntry {
  name: string;
  description: string;
  default?: string;
}

export const INPUT_REFERENCE: readonly ReferenceEntry[] = [
  {"name":"command","description":"Shell command that starts the server in the foreground (e.g. \"gunicorn app:app -b 127.0.0.1:$PORT\"); required unless `server` and `app` are given."},
  {"name":"server","description":"Preset instead of `command`: gunicorn, gunicorn-gthread, gunicorn-gevent, uwsgi, uwsgi-http, uwsgi-http11-socket, waitress or wsgiref."},
  {"name":"app","description":"WSGI app for a preset: module:callable, a factory module:create_app() (arguments allowed) or a module (its `application`)."},
  {"name":"workers","description":"Worker processes for a preset (threads for waitress); default 2 x cores + 1."},
  {"name":"python","description":"Python that runs the preset's server, e.g. .venv/bin/python (uWSGI then uses that virtualenv); default python3."},
  {"name":"working-directory","description":"Where the server starts; default the workspace."},
  {"name":"url","description":"Base URL of the server, loopback only, may contain $PORT; default http://127.0.0.1:8000 (a preset: http://127.0.0.1:$PORT)."},
  {"name":"ready-path","description":"Path polled until it answers below 500; default /."},
  {"name":"ready-timeout-seconds","description":"Give up booting after this many seconds; default 60."},
  {"name":"path","description":"The one scenario's URL path when no config file is given; default /."},
  {"name":"config","description":"YAML config file (scenarios, targets, thresholds, rare settings); default .github/perf-gate.yml when present."},
  {"name":"connections","description":"Concurrent connections; default 16."},
  {"name":"duration-seconds","description":"Length of one measured trial; default 10 (0.5 with compare-to: base)."},
  {"name":"warmup-seconds","description":"Unmeasured load before the trials; default 3."},
  {"name":"rounds","description":"Most trials per target and scenario (stops earlier once decided), default 5; with compare-to: base, what fits time-budget-minutes; too few are refused."},
  {"name":"time-budget-minutes","description":"Minutes one measurement (boot, warmup, rounds) may take; sets the rounds; default 3 with compare-to: base and no rounds, else none."},
  {"name":"compare-to","description":"stored (the recorded baseline), base (boot the PR's merge-base beside the head; needs fetch-depth: 0 and $PORT) or none; default stored."},
  {"name":"base-ref","description":"compare-to: base: the commit or ref to compare with; default the pull request's base."},
  {"name":"base-setup","description":"compare-to: base: shell command run in the base checkout before it boots (e.g. pip install -r requirements.txt)."},
  {"name":"baseline-branch","description":"Branch that keeps the recorded history; default perf-data."},
  {"name":"baseline-file","description":"JSON file that holds the baseline instead of the branch (read, and written when recording)."},
  {"name":"record","description":"auto (pushes to the default branch), true or false; default auto."},
  {"name":"max-rps-drop-pct","description":"Smallest RPS drop in percent that may fail the gate; default 5."},
  {"name":"max-p99-increase-pct","description":"Smallest p99 latency rise in percent that may fail the gate; default 10."},
  {"name":"max-error-rate-pct","description":"Error rate in percent that fails on its own; default 0.1."},
  {"name":"max-memory-increase-pct","description":"Smallest server memory rise in percent that may fail the gate; default 10."},
  {"name":"instructions","description":"Count instructions per request under Valgrind and gate on them: auto (valgrind on PATH), on, off, or profile (on, with the profile on every run); default auto."},
  {"name":"max-instructions-increase-pct","description":"Smallest rise of instructions per request in percent that may fail the gate; default 0.5."},
  {"name":"queries","description":"Count database queries per request (DB-API drivers in the worker processes) and gate on them: auto, on or off; default auto."},
  {"name":"max-queries-increase","description":"Smallest rise of queries per request that may fail the gate (it must also be +20% or more); default 2."},
  {"name":"hardening","description":"Hardening checks of the server setup (docs/hardening.md): off, report or gate; default report."},
  {"name":"watch","description":"On pushes that record, watch main's history for change points and creep: off, report (summary, commit comment) or fail; default report."},
  {"name":"watch-anchor","description":"What creep is measured against: N pushes back (default 20), `tag` (the last recorded run at a tag) or `tag:<regex>`."},
  {"name":"watch-creep-pct","description":"Creep of instructions per request since the anchor, in percent, that is reported; default 1.5."},
  {"name":"bisect","description":"Count instructions of the commits between two recorded pushes to name the first bad commit of a change point; default false."},
  {"name":"confidence","description":"How certain a change must be before it counts; default 0.99 (one the rounds can never reach is refused)."},
  {"name":"fail-on-regression","description":"Fail the step on any regression (performance, instructions, a hardening check under hardening: gate), else only warn; default true."},
  {"name":"comment","description":"auto (pull requests), always or never: one PR comment, updated in place; default auto."},
  {"name":"comment-id","description":"Keeps one comment per gate when several run in one job or matrix (e.g. \"${{ matrix.python }}\")."},
  {"name":"comment-file","description":"Where a pull request run saves its comment for a workflow_run poster (with mode: post-comment, the file to post)."},
  {"name":"mode","description":"gate (measure and report), post-comment (post a comment a fork's run saved) or merge (merge sharded results); default gate."},
  {"name":"shard","description":"One job of a sharded gate, K/N (e.g. \"${{ matrix.shard }}/4\"): measures shard K of N and writes its results for mode: merge."},
  {"name":"shards-dir","description":"Where a shard writes its results file and mode: merge reads them; default $RUNNER_TEMP/wsgi-perf-gate/shards."},
  {"name":"github-token","description":"Token for the PR comment and the data branch.","default":"${{ github.token }}"},
];

export const OUTPUT_REFERENCE: readonly ReferenceEntry[] = [
  {"name":"verdict","description":"pass, regressed, improved, inconclusive, or error when the run could not measure or merge (the step then fails with the reason)."},
  {"name":"results-file","description":"Path of the JSON results file (schema/results.schema.json)."},
  {"name":"artifacts-dir","description":"Folder with the results file, the server logs and the latency histograms, ready for upload-artifact."},
  {"name":"rps","description":"Median requests per second of the candidate (first scenario)."},
  {"name":"p99-ms","description":"Median p99 latency of the candidate in ms (first scenario)."},
  {"name":"rps-change-pct","description":"RPS change against the baseline in percent, signed (empty without a baseline)."},
  {"name":"p99-change-pct","description":"p99 change against the baseline in percent, signed (empty without a baseline)."},
  {"name":"instructions-change-pct","description":"Change of instructions per request against the baseline in percent, signed (first scenario; empty when not counted)."},
  {"name":"queries-per-request","description":"Database queries per request of the candidate (first scenario; empty when not counted)."},
  {"name":"queries-change","description":"Change of database queries per request against the baseline, signed, in queries (first scenario; empty when not counted or without a baseline)."},
  {"name":"comment-url","description":"URL of the PR comment, when one was written."},
  {"name":"comment-file","description":"Path of the saved comment on pull request runs (upload it for a workflow_run poster)."},
  {"name":"shard-file","description":"With shard: the path of this shard's results file, to upload for the merge job."},
];
