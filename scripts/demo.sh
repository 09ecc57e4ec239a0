#!/usr/bin/env bash
# The demo command of the README: runs the action's main job (dist/main.js) exactly as a
# GitHub runner would, on the bundled Flask example under gunicorn, twice:
#   1. a push to the default branch, which records the baseline;
#   2. a pull request with the same code, compared with that baseline.
# Then prints the pull request's job summary (the PR comment is the same Markdown; the demo
# has no GitHub to post it to, so `comment: never`). The endpoint sleeps 40 ms per request, which
# keeps a short demo's numbers steady; set EXAMPLE_DELAY_MS=20 (20 ms more per request in the
# pull request run) to see a regression, or DEMO_PATH=/json for a CPU-bound endpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/ensure-deps.sh demo
[ -f dist/main.js ] || npm run -s build

work=$(mktemp -d "${TMPDIR:-/tmp}/perf-gate-demo.XXXXXX")
mkdir -p "$work/workspace" "$work/temp"
repo='{"full_name":"acme/shop","default_branch":"main"}'
echo "{\"ref\":\"refs/heads/main\",\"after\":\"$(printf '1%.0s' {1..40})\",\"repository\":$repo}" > "$work/push.json"
echo "{\"number\":1,\"pull_request\":{\"number\":1},\"repository\":$repo}" > "$work/pull_request.json"

run_step() { # $1 = event name, $2 = extra env for the server
  local event=$1
  : > "$work/summary-$event"; : > "$work/output-$event"; : > "$work/state-$event"
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
    GITHUB_ACTIONS=true GITHUB_EVENT_NAME="$event" GITHUB_EVENT_PATH="$work/$event.json" \
    GITHUB_REF="$([ "$event" = push ] && echo refs/heads/main || echo refs/pull/1/merge)" \
    GITHUB_SHA="$(printf '%.0s1' {1..40})" GITHUB_REPOSITORY=acme/shop GITHUB_WORKSPACE="$work/workspace" \
    GITHUB_OUTPUT="$work/output-$event" GITHUB_STEP_SUMMARY="$work/summary-$event" GITHUB_STATE="$work/state-$event" \
    RUNNER_TEMP="$work/temp" \
    INPUT_COMMAND="/usr/bin/python3 -m gunicorn app:app --bind 127.0.0.1:\$PORT --workers 4" \
    INPUT_URL='http://127.0.0.1:$PORT' \
    INPUT_WORKING-DIRECTORY="$root/examples/flask" \
    INPUT_PATH="${DEMO_PATH:-/delay?ms=40}" \
    INPUT_DURATION-SECONDS="${DEMO_DURATION_SECONDS:-2}" INPUT_ROUNDS="${DEMO_ROUNDS:-8}" INPUT_WARMUP-SECONDS=1 \
    INPUT_CONNECTIONS=4 \
    INPUT_BASELINE-FILE="$work/baseline.json" \
    INPUT_GITHUB-TOKEN=demo INPUT_COMMENT=never \
    ${2:+EXAMPLE_DELAY_MS=$2} \
    node "$root/dist/main.js" | sed "s/^/[$event] /" >&2
}

echo "== 1/2: push to main (records the baseline in $work/baseline.json)" >&2
run_step push ""
echo "== 2/2: pull request with ${EXAMPLE_DELAY_MS:-no} extra delay per request" >&2
status=0
run_step pull_request "${EXAMPLE_DELAY_MS:-}" || status=$?
echo >&2
echo "== Job summary of the pull request run:" >&2
cat "$work/summary-pull_request"
echo "== Outputs:" >&2
grep -v '^ghadelimiter' "$work/output-pull_request" | paste - - | sed 's/<<.*\t/ = /' >&2
exit $status
