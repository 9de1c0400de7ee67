# Sourced by docs/quant-vs-llama-cpp.sh and docs/quant-types-vs-llama-cpp.sh (not run on its own):
# reads [PEER_BIN_DIR] [WORK_DIR] into $bin and $dir, goes to the repository root and exports
# synthetic:bench-small as $dir/bench-small-f32.gguf, the file every quantized one is made from.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="${1:-/tmp/llama.cpp-peer/bin}"
dir="${2:-/tmp/ra-quant-bench}"
mkdir -p "$dir"
if [[ ! -f "$dir/bench-small-f32.gguf" ]]; then
  ./ra export-gguf --model synthetic:bench-small --type f32 --out "$dir/bench-small-f32.gguf" >/dev/null
fi
