#!/usr/bin/env bash
# Smoke test of build/origin (from `npm run build:binary`): runs it from an empty directory with no
# node_modules on PATH, checks exit codes and `status --json`, and times startup.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$repo/build/origin"
[[ -x "$binary" ]] || { echo "FAIL: $binary missing; run npm run build:binary" >&2; exit 1; }

dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
cp "$binary" "$dir/origin"
cd "$dir"
# Nothing from the repo: a PATH without node_modules/.bin, a HOME and no ORIGIN_DB_PATH.
export PATH=/usr/local/bin:/usr/bin:/bin HOME="$dir"
unset ORIGIN_DB_PATH NODE_OPTIONS NODE_PATH

fail() { echo "FAIL: $*" >&2; exit 1; }
run() { "$@" >"$dir/out" 2>"$dir/err" || fail "$* exited $? ($(cat "$dir/err"))"; }

run ./origin --version
grep -q '^origin-provenance/' out || fail "--version printed: $(cat out)"
run ./origin --help
grep -q 'status' out || fail "--help does not list the commands: $(cat out)"
run ./origin status --help
run ./origin init
run ./origin status --json
# Checked by the repo's node, outside the empty directory: schema v1 and no samples yet.
node -e '
  const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (s.schema_version !== 1 || s.counts.samples !== 0) process.exit(1);
' "$dir/out" || fail "status --json: $(cat out)"
status=0
./origin status --path missing.db >/dev/null 2>&1 || status=$?
[[ $status -eq 1 ]] || fail "status --path missing.db exited $status, expected 1"

# Best of 5 wall-clock runs, in milliseconds.
time_ms() {
  local best=999999 start end i
  for i in 1 2 3 4 5; do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    best=$(((end - start) / 1000000 < best ? (end - start) / 1000000 : best))
  done
  echo "$best"
}
echo "startup: --version $(time_ms ./origin --version) ms, status $(time_ms ./origin status) ms (best of 5)"
echo "binary: $(stat -c %s origin) bytes"
echo "OK: smoke-binary passed"
