#!/usr/bin/env bash
# The test command of the README: installs what the tests need, then runs every test
# (unit tests of the pure core, end-to-end tests with real servers on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh test
[ -f dist/main.js ] || npm run -s build
exec node --import tsx --test --test-concurrency=1 __tests__/*.test.ts
