#!/usr/bin/env bash
# Fuzzes one target of fuzz/ (cargo-fuzz, libFuzzer) for a number of executions or seconds,
# starting from fuzz/corpus/TARGET (kept between runs, not committed), the committed seeds
# fuzz/seeds/TARGET and seeds taken from the project's own files.
#   scripts/fuzz.sh TARGET [RUNS] [SECONDS]     (default 10,000,000 runs, at most 1,800 s)
# Targets: mqtt_payload procedure_file plant_files changeset_json export_verification
# gltf_identity. Needs the nightly toolchain (rustup) and cargo-fuzz (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?target}
runs=${2:-10000000}
seconds=${3:-1800}

command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
corpus="fuzz/corpus/$target"
mkdir -p "$corpus"
seeds=$(mktemp -d)
[ -d "fuzz/seeds/$target" ] && cp "fuzz/seeds/$target"/* "$seeds/"
trap 'rm -rf "$seeds"' EXIT
case "$target" in
    procedure_file) cp assets/procedures/*.toml "$seeds/" ;;
    gltf_identity) cp scenes/*.glb "$seeds/" ;;
    plant_files)
        # The first byte picks the file the rest replaces (order of jumeau_core::plant::FILES).
        i=0
        for f in units.toml accounts.toml components.toml parameters.csv tags.csv alarms.toml \
            circuits.toml documents.toml; do
            { printf "\\x$(printf %02x $i)"; cat "assets/plant/$f"; } >"$seeds/$f"
            i=$((i + 1))
        done
        ;;
esac

# No sanitizer: the code fuzzed is safe Rust (panics, overflows with debug assertions on,
# hangs and memory blow-ups are what is looked for); it runs several times faster.
cargo +nightly fuzz run --sanitizer none "$target" "$corpus" "$seeds" -- \
    -runs="$runs" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=1048576 -print_final_stats=1
