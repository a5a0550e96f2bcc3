#!/usr/bin/env bash
# Installs the ONNX Runtime oracle (tools/ort-oracle): onnxruntime-node from npm, with
# --ignore-scripts because its install script downloads extra binaries from a host that cannot be
# reached; the CPU engine needs none of them. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="$here/../../tools/ort-oracle"
version="1.30.0"
installed="$dir/node_modules/onnxruntime-node/package.json"
if [ -f "$installed" ] && grep -q "\"version\": \"$version\"" "$installed"; then
  echo "setup: onnxruntime-node $version present"
  exit 0
fi
command -v npm >/dev/null || { echo "setup: npm not found (install Node.js 20)" >&2; exit 1; }
echo "setup: installing onnxruntime-node $version into tools/ort-oracle"
(cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --no-save "onnxruntime-node@$version" >/dev/null)
node -e "require('$dir/node_modules/onnxruntime-node')" || {
  echo "setup: onnxruntime-node installed but does not load" >&2; exit 1; }
