#!/usr/bin/env bash
# Releases the action: checks that the commit is releasable, tags it vX.Y.Z and moves the
# major tag vX to it (what users pin: `uses: OWNER/wsgi-perf-gate@v1`), then pushes both.
#   scripts/release.sh [--dry-run] [--remote origin] X.Y.Z
# Checks, in order: a clean working tree; package.json's version is X.Y.Z; CHANGELOG.md has a
# "## [X.Y.Z]" section; `npm run build` leaves dist/ unchanged (dist/ is what runners execute);
# the tag does not exist yet. --dry-run does every check and prints the git commands instead
# of running them. Publishing the CLI to npm (`npm publish`) is a separate, manual step.
set -euo pipefail
cd "$(dirname "$0")/.."

dry_run=false
remote=origin
version=
while [ $# -gt 0 ]; do
  case $1 in
    --dry-run) dry_run=true ;;
    --remote) remote=${2:?--remote needs a name}; shift ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "release: unknown option $1" >&2; exit 2 ;;
    *) version=$1 ;;
  esac
  shift
done
fail() { echo "release: $*" >&2; exit 1; }

[[ $version =~ ^([0-9]+)\.[0-9]+\.[0-9]+$ ]] || { echo "release: expected a version X.Y.Z, got '${version}'" >&2; exit 2; }
major="v${BASH_REMATCH[1]}"
tag="v$version"

[ -z "$(git status --porcelain --untracked-files=no)" ] || fail "the working tree has uncommitted changes"
pkg_version=$(node -p "require('./package.json').version")
[ "$pkg_version" = "$version" ] || fail "package.json's version is $pkg_version, not $version (bump it and commit first)"
grep -q "^## \[$version\]" CHANGELOG.md || fail "CHANGELOG.md has no '## [$version]' section (move the Unreleased entries under it)"
git rev-parse -q --verify "refs/tags/$tag" >/dev/null && fail "tag $tag exists already"

echo "release: building dist/ to check it is fresh" >&2
npm run -s build
if [ -n "$(git status --porcelain -- dist)" ]; then
  git status --short -- dist >&2
  fail "dist/ is not the build of this commit: run 'npm run build' and commit dist/"
fi

commit=$(git rev-parse HEAD)
run() {
  if $dry_run; then echo "would run: $*"; else echo "+ $*" >&2; "$@"; fi
}
run git tag -a "$tag" -m "wsgi-perf-gate $version" "$commit"
run git tag -f -a "$major" -m "wsgi-perf-gate $version (moves with every $major.x.y release)" "$commit"
run git push "$remote" "refs/tags/$tag"
run git push --force "$remote" "refs/tags/$major"
if $dry_run; then
  echo "release: dry run: $commit would be $tag, and $major would move to it"
else
  echo "release: $commit is $tag; $major moved to it. Next: a GitHub release from $tag (its notes: CHANGELOG.md's $version section)."
fi
