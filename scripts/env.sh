# Sourced by the scripts: one target directory outside the clone, shared by every checkout and
# by CI on this machine, so a second build (or a new clone) is incremental.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/jumeau/target}"
mkdir -p "$CARGO_TARGET_DIR"
# Where scripts/setup.sh puts the Khronos glTF validator (scripts/validate-gltf.cjs needs it).
export NODE_PATH="${NODE_PATH:-$HOME/.cache/jumeau/npm/node_modules}"
