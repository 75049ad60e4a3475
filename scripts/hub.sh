#!/usr/bin/env bash
# Sets up the machine, builds the plant hub and starts it with its own PostgreSQL cluster in its
# directory (default /var/lib/jumeau/hub as root, else ~/.local/share/jumeau/hub; or
# $JUMEAU_HUB_DIR), on wss://0.0.0.0:7443.
# Ctrl-C stops the hub and its cluster. Extra arguments go to `jumeau-hub serve` (e.g.
# `--listen 127.0.0.1:7443`). Devices enrol with `jumeau-hub --dev enrol-device NAME`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
source scripts/env.sh
cargo build --locked -p jumeau-hub --bin jumeau-hub
exec "$CARGO_TARGET_DIR/debug/jumeau-hub" --dev serve "$@"
