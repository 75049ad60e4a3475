#!/usr/bin/env bash
# Installs what Jumeau needs on Debian 12 (as root, or with sudo): build tools, the virtual X
# server and the software Vulkan driver used when there is no display or GPU. Idempotent.
set -euo pipefail

packages=(
    build-essential pkg-config
    # SQLCipher (rusqlite's bundled-sqlcipher) links OpenSSL's libcrypto; the tests check with
    # Debian's sqlite3 that a store cannot be read without its key.
    libssl-dev sqlite3
    # Window system and Vulkan (winit loads these at run time).
    libx11-dev libxcursor-dev libxrandr-dev libxi-dev libxkbcommon-dev libxkbcommon-x11-0
    libvulkan1 mesa-vulkan-drivers
    # Headless rendering.
    xvfb xauth
    # Test peers: PDF text extraction, Python for the independent export verifier and the
    # independent OPC UA server, a real MQTT broker.
    poppler-utils python3 python3-pip mosquitto mosquitto-clients
    # The plant hub's store (`jumeau hub --dev` runs a private cluster with these binaries).
    postgresql
    # The Khronos glTF validator runs on Node.js; npm fetches it (below).
    nodejs ca-certificates
)

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

# PyNaCl for scripts/verify_export.py (an Ed25519 check independent of Jumeau's code).
if ! python3 -c "import nacl" 2>/dev/null; then
    echo "setup: installing PyNaCl"
    python3 -m pip install --quiet --disable-pip-version-check pynacl 2>/dev/null ||
        { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-nacl; }
    python3 -c "import nacl"
fi

# asyncua: an OPC UA server written independently of Jumeau, for `tags watch` tests. Not packaged
# by Debian; Debian 12's Python refuses plain `pip install` (PEP 668), hence the second try.
if ! python3 -c "import asyncua" 2>/dev/null; then
    echo "setup: installing asyncua"
    python3 -m pip install --quiet --disable-pip-version-check asyncua 2>/dev/null ||
        python3 -m pip install --quiet --disable-pip-version-check --break-system-packages asyncua
    python3 -c "import asyncua"
fi

# The Khronos glTF validator (npm package `gltf-validator`: one self-contained script, no
# dependencies), fetched with the ordinary npm client, pinned and checked against the tarball's
# SHA-256, for the scene tests.
validator="$HOME/.cache/jumeau/npm/node_modules/gltf-validator"
if [ ! -f "$validator/index.js" ]; then
    echo "setup: fetching the Khronos glTF validator"
    # Debian's npm only where Node.js came without its own.
    if ! command -v npm >/dev/null; then
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq npm
    fi
    work=$(mktemp -d)
    (cd "$work" && npm pack --silent gltf-validator@2.0.0-dev.3.10 >/dev/null)
    echo "4e03dbdc3bc0d1342afd5d2d7ae341a7e3474502ccb872b02dbbaddaee0fdec6  $work/gltf-validator-2.0.0-dev.3.10.tgz" | sha256sum -c --quiet
    mkdir -p "$validator"
    tar -xzf "$work/gltf-validator-2.0.0-dev.3.10.tgz" -C "$validator" --strip-components=1
    rm -rf "$work"
fi

if ! command -v cargo >/dev/null; then
    echo "setup: cargo not found. Jumeau needs Rust 1.95 (rustup toolchain 1.95)." >&2
    exit 1
fi
version=$(rustc --version | awk '{print $2}')
if [ "$(printf '%s\n1.95.0\n' "$version" | sort -V | head -n1)" != "1.95.0" ]; then
    echo "setup: Rust $version is too old; Jumeau needs 1.95 or newer." >&2
    exit 1
fi
