#!/usr/bin/env bash
# `make demo`: an image and a prompt in, an H.264 MP4 and a JPEG thumbnail out — offline, with the
# embedded defaults (SQLite and the `local` provider). Usage: scripts/demo.sh [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
export VIDFLOW_DATA_DIR="${1:-.vidflow}"
vidflow=.build/debug/vidflow
workflow=workflows/image-to-video.yaml
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

echo "== vidflow demo: $workflow (image share/samples/sample.jpg, provider local, data in $VIDFLOW_DATA_DIR)"
status=0
"$vidflow" run "$workflow" 2>&1 | tee "$log" || status=$?
id="$(grep -oE '^run run_[0-9a-f]+' "$log" | tail -n 1 | cut -d' ' -f2 || true)"
if [ "$status" -ne 0 ] || [ -z "$id" ]; then
    echo "demo: the run did not complete (exit $status); see the lines above" >&2
    exit 1
fi
video="$(grep -E '^transcode: ' "$log" | tail -n 1 | cut -d' ' -f2- || true)"
thumbnail="$(grep -E '^thumbnail: ' "$log" | tail -n 1 | cut -d' ' -f2- || true)"
cat <<MSG

== done: run $id
   MP4:       ${video:-see \`$vidflow status $id\`}
   thumbnail: ${thumbnail:-see \`$vidflow status $id\`}

Try next:
   $vidflow status $id
   $vidflow rerun $id --input quality=high --dry-run   # what would run, and why
   $vidflow rerun $id --input quality=high             # re-runs transcode and thumbnail only
   $vidflow retry $id                                  # after a failure: keeps what succeeded
   $vidflow logs $id
MSG
