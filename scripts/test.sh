#!/usr/bin/env bash
# Sets up the machine and runs the whole test suite (unit, store, CLI and screenshot tests on
# real frames under Xvfb + lavapipe).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
source scripts/env.sh
cargo fmt --all --check
# No import circle among the modules of any crate (cargo refuses them between crates).
python3 scripts/module-cycles.py
cargo test --locked --workspace
