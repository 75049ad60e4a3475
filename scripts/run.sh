#!/usr/bin/env bash
# Sets up the machine, builds Jumeau and runs it on the embedded default (local store seeded with
# the plant's master data). With a display it opens the 3D client; without one it renders the
# plant overview to a PNG and says where. Extra arguments go to `jumeau`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
source scripts/env.sh
cargo build --locked --bin jumeau
jumeau="$CARGO_TARGET_DIR/debug/jumeau"
if [ $# -gt 0 ]; then
    exec "$jumeau" "$@"
fi
"$jumeau" db migrate
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    exec "$jumeau"
fi
out="$PWD/jumeau-overview.png"
echo "No display here: rendering the 3D client on a virtual display (Xvfb) to $out"
"$jumeau" screenshot --view overview --out "$out"
echo "Open $out to see the plant; on a desktop session ./scripts/run.sh opens the interactive client."
echo "Other views: $jumeau screenshot --view TG1 --out tg1.png    Data: $jumeau components show CR1"
