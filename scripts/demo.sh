#!/usr/bin/env bash
# The main job on the built-in examples: record three sources into one session, the way a
# training pipeline would, then look at what was recorded. Runs in a temp directory.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
origin() { node "$here/bin/run.js" "$@"; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export ORIGIN_DB_PATH="$work/origin.db"
export NO_COLOR="${NO_COLOR-}"

# One field of the JSON document on stdin (what `jq -r .FIELD` prints), without needing jq.
json_field() {
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => process.stdout.write(String(JSON.parse(s)[process.argv[1]])))' "$1"
}

step() {
  if [ -t 1 ] && [ -z "${NO_COLOR-}" ]; then printf '\n\033[1m$ %s\033[0m\n' "$*"; else printf '\n$ %s\n' "$*"; fi
}

step origin init
origin init

step 'session=$(origin session start --meta model=demo-lm --meta run=1)'
session=$(origin session start --meta model=demo-lm --meta run=1)
echo "$session"

step "cat examples/wiki.jsonl | origin ingest --tee --session \$session --source wikipedia --license CC-BY-SA-4.0 --content-field text > /dev/null"
cat "$here/examples/wiki.jsonl" | origin ingest --tee --session "$session" --source wikipedia --license CC-BY-SA-4.0 --content-field text > /dev/null

step "origin ingest examples/code.jsonl --session \$session --source github --license MIT --content-field text"
origin ingest "$here/examples/code.jsonl" --session "$session" --source github --license MIT --content-field text

step "origin ingest examples/mixed.jsonl --session \$session --content-field text --source-field source --license-field license"
origin ingest "$here/examples/mixed.jsonl" --session "$session" --content-field text --source-field source --license-field license

step "origin session end \$session"
origin session end "$session"

step origin sessions
origin sessions

step "origin inspect \$session"
origin inspect "$session"

step "origin conflicts --session \$session   # exit 4: the examples mix share-alike and non-commercial data"
origin conflicts --session "$session" || echo "(exit $?)"

step "news=\$(origin ingest examples/news.jsonl --source news-agency --license CC-BY-NC-4.0 --content-field text -q --json | jq -r .session_id)"
news=$(origin ingest "$here/examples/news.jsonl" --source news-agency --license CC-BY-NC-4.0 --content-field text -q --json | json_field session_id)
echo "$news"

step "origin conflicts --session \$news   # exit 4: non-commercial data, and the intended use is commercial (the default)"
origin conflicts --session "$news" || echo "(exit $?)"

step "origin conflicts --session \$news --intended-use research   # exit 0: research use is what CC-BY-NC-4.0 allows"
origin conflicts --session "$news" --intended-use research && echo "(exit $?)"

step "origin verify --session \$session --root \$root"
root=$(origin inspect "$session" --json | json_field session_root)
origin verify --session "$session" --root "$root"

step 'origin trace --text "Merkle trees let one hash commit to a whole list of items."'
origin trace --text "Merkle trees let one hash commit to a whole list of items."

step "origin card \$session | head -40"
origin card "$session" | head -40

step origin status
origin status
