#!/usr/bin/env bash
# Run CMD with a Secret Service (system keyring) reachable.
#
#   packaging/with-keyring.sh CMD [ARGS...]
#
# If a Secret Service already answers on the session bus, CMD is exec'd as is.
# Otherwise the script runs itself again under `dbus-run-session` (a private
# session bus), starts `gnome-keyring-daemon --unlock --components=secrets`
# there with a password piped on stdin, exports what the daemon prints, and
# exec's CMD. The daemon keeps its keyrings under $SIGNPOST_KEYRING_HOME
# (its XDG_DATA_HOME); without it a fresh temporary directory is used and
# removed afterwards. The password is $SIGNPOST_KEYRING_PASSWORD (default: a
# fixed test password; it only guards the throwaway keyring). Works as root,
# needs no stdin, no display. Debian packages: dbus-daemon (dbus-run-session),
# dbus-bin (dbus-send), gnome-keyring.
set -euo pipefail

me="with-keyring"
if [ "$#" -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

secret_service_reachable() {
    [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || return 1
    dbus-send --session --print-reply --reply-timeout=3000 \
        --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets \
        2>/dev/null | grep -q 'boolean true'
}

need() {
    command -v "$1" >/dev/null 2>&1 || {
        echo "$me: '$1' not found; install the Debian package '$2'" >&2
        exit 127
    }
}

if [ "${SIGNPOST_WITH_KEYRING_STAGE:-}" != "inner" ]; then
    # Outer stage: use the keyring that is already there, if any.
    need dbus-send dbus-bin
    if secret_service_reachable; then
        exec "$@"
    fi
    need dbus-run-session dbus-daemon
    need gnome-keyring-daemon gnome-keyring
    made_home=""
    if [ -z "${SIGNPOST_KEYRING_HOME:-}" ]; then
        SIGNPOST_KEYRING_HOME="$(mktemp -d "${TMPDIR:-/tmp}/signpost-keyring.XXXXXXXX")"
        made_home="$SIGNPOST_KEYRING_HOME"
        trap 'rm -rf -- "$made_home"' EXIT
    fi
    export SIGNPOST_KEYRING_HOME
    status=0
    SIGNPOST_WITH_KEYRING_STAGE=inner dbus-run-session -- "$0" "$@" </dev/null || status=$?
    exit "$status"
fi

# Inner stage: a private session bus exists; start and unlock a keyring on it.
unset SIGNPOST_WITH_KEYRING_STAGE
home="${SIGNPOST_KEYRING_HOME:?}"
mkdir -p -- "$home"
chmod 700 -- "$home"
if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -d "$XDG_RUNTIME_DIR" ] || [ ! -w "$XDG_RUNTIME_DIR" ]; then
    # gnome-keyring puts its control socket here; root in a container has none.
    export XDG_RUNTIME_DIR="$home/run"
    mkdir -p -- "$XDG_RUNTIME_DIR"
    chmod 700 -- "$XDG_RUNTIME_DIR"
fi

# A daemon that D-Bus activates later (after a crash) must use the same home.
dbus-update-activation-environment XDG_DATA_HOME="$home" XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" \
    >/dev/null 2>&1 || true

daemon_env="$(printf '%s' "${SIGNPOST_KEYRING_PASSWORD:-signpost-test-keyring}" \
    | XDG_DATA_HOME="$home" gnome-keyring-daemon --unlock --components=secrets)"
while IFS= read -r line; do
    case "$line" in
        [A-Za-z_]*=*)
            name="${line%%=*}"
            case "$name" in *[!A-Za-z0-9_]*) continue ;; esac
            export "$name=${line#*=}"
            ;;
    esac
done <<<"$daemon_env"

for _ in $(seq 50); do
    secret_service_reachable && break
    sleep 0.1
done
if ! secret_service_reachable; then
    echo "$me: gnome-keyring-daemon started but no Secret Service answers on the session bus" >&2
    exit 1
fi
echo "$me: started a private gnome-keyring (Secret Service) for this session, keyrings in $home" >&2
exec "$@"
