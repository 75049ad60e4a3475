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
# First start: the store is made and each account gets a one-time password, shown once.
first=$(mktemp)
trap 'rm -f "$first"' EXIT
"$jumeau" db migrate 2> >(tee "$first" >&2)
user="${JUMEAU_USER:-j.martin}"
once=$(awk -v u="$user" '$1 == u { print $2 }' "$first")
display="${DISPLAY:-}${WAYLAND_DISPLAY:-}"
if [ -n "$once" ] && [ -z "${JUMEAU_PASSWORD_FILE:-}" ]; then
    if [ -n "$display" ]; then
        echo "First login of $user: type the one-time password above on the client's login screen, then choose your own."
    elif [ -t 0 ]; then
        echo "First login of $user: type the one-time password above, then choose your own."
        "$jumeau" --user "$user" login
    else
        # Unattended first run (no terminal to ask): a random password for the default user,
        # in a file of its own outside the data directory, readable by its owner only.
        umask 077
        dir="${XDG_CONFIG_HOME:-$HOME/.config}/jumeau"
        mkdir -p "$dir"
        printf '%s\n' "$once" >"$first.once"
        head -c 24 /dev/urandom | base64 >"$dir/password-$user"
        "$jumeau" --user "$user" --password-file "$first.once" login --new-password-file "$dir/password-$user"
        rm -f "$first.once"
        echo "Unattended first run: $user's password is in $dir/password-$user (set your own with"
        echo "  $jumeau --user $user --password-file $dir/password-$user login --change, then delete the file)."
    fi
fi
if [ -z "${JUMEAU_PASSWORD_FILE:-}" ] && [ ! -t 0 ] && [ -z "$display" ]; then
    saved="${XDG_CONFIG_HOME:-$HOME/.config}/jumeau/password-$user"
    [ -f "$saved" ] && export JUMEAU_PASSWORD_FILE="$saved"
fi
if [ -n "$display" ]; then
    # The client opens on its login screen (or logged in already with $JUMEAU_PASSWORD_FILE).
    exec "$jumeau"
fi
out="$PWD/jumeau-overview.png"
echo "No display here: rendering the 3D client on a virtual display (Xvfb) to $out"
"$jumeau" screenshot --view overview --out "$out"
echo "Open $out to see the plant; on a desktop session ./scripts/run.sh opens the interactive client."
echo "Other views: $jumeau screenshot --view TG1 --out tg1.png    Data: $jumeau components show CR1"
