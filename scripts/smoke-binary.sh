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
# Checked by the repo's node, outside the empty directory: the current schema and no samples yet.
node -e '
  const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const { SCHEMA_VERSION } = require(process.argv[2] + "/dist/core/store/schema");
  if (s.schema_version !== SCHEMA_VERSION || s.counts.samples !== 0) process.exit(1);
' "$dir/out" "$repo" || fail "status --json: $(cat out)"
status=0
./origin status --path missing.db >/dev/null 2>&1 || status=$?
[[ $status -eq 1 ]] || fail "status --path missing.db exited $status, expected 1"

# The main job inside the binary: parser threads, the embedded license taxonomy, verify, a card.
for i in $(seq 1 3000); do
  printf '{"text":"sample %d","source":"s%d","license":"%s"}\n' "$i" $((i % 3)) "$([[ $((i % 2)) -eq 0 ]] && echo MIT || echo CC-BY-4.0)"
done >"$dir/in.jsonl"
cp "$dir/in.jsonl" "$dir/expected.jsonl"
./origin ingest --tee --content-field text --source-field source --license-field license --json <in.jsonl >tee.out 2>summary.json ||
  fail "ingest exited $? ($(cat summary.json))"
cmp -s tee.out expected.jsonl || fail "ingest --tee changed the data"
session=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).session_id)' "$dir/summary.json")
run ./origin verify --session "$session"
run ./origin conflicts --session "$session"
run ./origin licenses check MIT Apache-2.0
run ./origin card "$session" -o card.md
grep -q '| 3,000 | 3,000 | 0 |' card.md || fail "card figures: $(grep -A2 '## Summary' card.md)"
# The same records from a file, parsed on a parser thread (its program is an asset of the
# executable): same session root.
ORIGIN_INGEST_WORKERS=1 ./origin ingest in.jsonl --content-field text --source-field source --license-field license --json >file.json 2>err ||
  fail "ingest of a file exited $? ($(cat err))"
root() { node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).session_root)' "$1"; }
[[ "$(root "$dir/file.json")" == "$(root "$dir/summary.json")" ]] || fail "a file and stdin gave different session roots"
# Large enough that parser threads take most segments: the same root as parsing on one thread.
for _ in $(seq 40); do cat in.jsonl; done >big.jsonl
for w in 0 2; do
  ORIGIN_INGEST_WORKERS=$w ./origin ingest big.jsonl --path "big-$w.db" --content-field text --json >"big-$w.json" 2>err ||
    fail "ingest with $w parser threads exited $? ($(cat err))"
done
[[ "$(root "$dir/big-0.json")" == "$(root "$dir/big-2.json")" ]] || fail "parser threads changed the session root"

# Shell completion from inside the binary (@oclif/plugin-autocomplete is in the bundle): the
# cache it writes under $XDG_CACHE_HOME completes commands and flags in bash.
XDG_CACHE_HOME="$dir/cache" ./origin autocomplete bash >complete.out 2>err || fail "autocomplete bash exited $? ($(cat err))"
completion=$(bash -c 'source "$1"; COMP_WORDS=(origin conflicts --base); COMP_CWORD=2; _origin_autocomplete; echo "${COMPREPLY[@]}"' _ "$dir/cache/origin/autocomplete/functions/bash/origin.bash")
[[ "$completion" == "--baseline" ]] || fail "bash completion of 'origin conflicts --base' gave: $completion"

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
