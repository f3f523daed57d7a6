#!/usr/bin/env bash
# Run CMD with a Secret Service (system keyring) reachable.
#
#   packaging/with-keyring.sh CMD [ARGS...]
#
# If a Secret Service already answers on the session bus (a desktop's login
# keyring), CMD is exec'd as is. Otherwise the script runs itself again under
# `dbus-run-session` (a private session bus), starts `gnome-keyring-daemon
# --unlock --components=secrets` there with the keyring's password piped on
# stdin, exports what the daemon prints, and exec's CMD.
#
# Where the keyring lives and what unlocks it (issue 13 §4.1, R-LOCAL-1): the
# keyring holds the training directory's key and its audit-signing key, so it
# never lives in Signpost's data folder (a copy of that folder must open
# nothing and sign nothing), and its password is never kept on disk.
# - $SIGNPOST_KEYRING_HOME set: a keyring kept there (its XDG_DATA_HOME). It is
#   refused inside the data folder ($SIGNPOST_HOME/data, or
#   ${XDG_DATA_HOME:-~/.local/share}/signpost). Its password is
#   $SIGNPOST_KEYRING_PASSWORD if set (automation: then it is in your
#   environment), else asked on the terminal: chosen (twice) the first time,
#   then asked each run, three tries. With neither, the script stops and says so.
#   A keyring that an earlier version kept inside the data folder
#   (<data>/training-keyring, with a fixed password) is moved here the first
#   time, its password changed to the one you choose.
# - unset or empty: a fresh temporary keyring with a random password that is
#   never written down, removed afterwards (tests, benchmarks).
# Works as root, needs no display. Debian packages: dbus-daemon
# (dbus-run-session), dbus-bin (dbus-send), gnome-keyring.
set -euo pipefail

me="with-keyring"
WRONG=75  # the inner stage's status when the password does not unlock the keyring
LEGACY_PASSWORD="signpost-test-keyring"  # what unlocked keyrings an earlier version kept in the data folder
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

collection_unlocked() {
    dbus-send --session --print-reply --reply-timeout=3000 --dest=org.freedesktop.secrets \
        /org/freedesktop/secrets/collection/login org.freedesktop.DBus.Properties.Get \
        string:org.freedesktop.Secret.Collection string:Locked 2>/dev/null | grep -q 'boolean false'
}

need() {
    command -v "$1" >/dev/null 2>&1 || {
        echo "$me: '$1' not found; install the Debian package '$2'" >&2
        exit 127
    }
}

data_folder() {  # where Signpost keeps its data (app/paths.py)
    if [ -n "${SIGNPOST_HOME:-}" ]; then
        printf '%s' "$SIGNPOST_HOME/data"
    else
        printf '%s' "${XDG_DATA_HOME:-$HOME/.local/share}/signpost"
    fi
}

has_terminal() { { : </dev/tty; } 2>/dev/null; }

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
    else
        data="$(realpath -m -- "$(data_folder)")"
        home="$(realpath -m -- "$SIGNPOST_KEYRING_HOME")"
        case "$home/" in
            "$data/"*)
                echo "$me: the keyring must not live inside Signpost's data folder ($data): a copy of that" \
                     "folder would then carry the keys that open the training directory and sign its audit." \
                     "Set SIGNPOST_KEYRING_HOME to a folder outside it." >&2
                exit 2 ;;
        esac
    fi
    export SIGNPOST_KEYRING_HOME
    export SIGNPOST_KEYRING_THROWAWAY="$made_home"
    status=0
    for _ in 1 2 3; do
        status=0
        SIGNPOST_WITH_KEYRING_STAGE=inner dbus-run-session -- "$0" "$@" </dev/null || status=$?
        [ "$status" -eq "$WRONG" ] && [ -z "${SIGNPOST_KEYRING_PASSWORD:-}" ] && has_terminal || break
    done
    exit "$status"
fi

# Inner stage: a private session bus exists; start and unlock a keyring on it.
unset SIGNPOST_WITH_KEYRING_STAGE
home="${SIGNPOST_KEYRING_HOME:?}"
throwaway="${SIGNPOST_KEYRING_THROWAWAY:-}"
unset SIGNPOST_KEYRING_THROWAWAY
mkdir -p -- "$home"
chmod 700 -- "$home"
if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -d "$XDG_RUNTIME_DIR" ] || [ ! -w "$XDG_RUNTIME_DIR" ]; then
    # gnome-keyring puts its control socket here; root in a container has none.
    export XDG_RUNTIME_DIR="$home/run"
    mkdir -p -- "$XDG_RUNTIME_DIR"
    chmod 700 -- "$XDG_RUNTIME_DIR"
fi

ask() {  # ask PROMPT: one line from the terminal, not echoed
    local answer
    IFS= read -r -s -p "$1" answer </dev/tty && printf '\n' >/dev/tty
    printf '%s' "$answer"
}

choose_password() {  # a new keyring's password, asked twice; none on stdout means none was agreed
    local one two
    echo "$me: choose a password for Signpost's keyring in $home (at least 8 characters; it is asked each" \
         "time Signpost starts without a desktop keyring, and is kept nowhere)." >/dev/tty
    one="$(ask "New keyring password: ")"
    two="$(ask "Type it again: ")"
    if [ "$one" != "$two" ] || [ "${#one}" -lt 8 ]; then
        echo "$me: the two did not match, or it is shorter than 8 characters." >/dev/tty
        return 0
    fi
    printf '%s' "$one"
}

legacy="$(data_folder)/training-keyring"
migrating=""
if [ -n "$throwaway" ]; then
    password="$(head -c 24 /dev/urandom | base64)"  # never written down; the keyring goes with this session
elif [ ! -e "$home/keyrings/login.keyring" ] && [ -e "$legacy/keyrings/login.keyring" ]; then
    migrating="yes"
    mkdir -p -- "$home/keyrings"
    cp -a -- "$legacy/keyrings/." "$home/keyrings/"
    password="$LEGACY_PASSWORD"
elif [ -n "${SIGNPOST_KEYRING_PASSWORD:-}" ]; then
    password="$SIGNPOST_KEYRING_PASSWORD"
elif has_terminal; then
    if [ -e "$home/keyrings/login.keyring" ]; then
        password="$(ask "Password for Signpost's keyring in $home: ")"
    else
        password="$(choose_password)"
    fi
    [ -n "$password" ] || exit "$WRONG"
else
    echo "$me: the keyring in $home needs its password, and there is no terminal to ask it on: run from a" \
         "terminal, or set SIGNPOST_KEYRING_PASSWORD." >&2
    exit 2
fi

# A daemon that D-Bus activates later (after a crash) must use the same home.
dbus-update-activation-environment XDG_DATA_HOME="$home" XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" \
    >/dev/null 2>&1 || true

daemon_env="$(printf '%s' "$password" | XDG_DATA_HOME="$home" gnome-keyring-daemon --unlock --components=secrets)"
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
for _ in $(seq 20); do
    collection_unlocked && break
    sleep 0.1
done
if ! collection_unlocked; then
    [ -n "$migrating" ] && rm -rf -- "$home/keyrings"
    echo "$me: that password does not unlock the keyring in $home." >&2
    exit "$WRONG"
fi
if [ -n "$migrating" ]; then
    new="${SIGNPOST_KEYRING_PASSWORD:-}"
    if [ -z "$new" ] && has_terminal; then
        echo "$me: Signpost's keyring was inside its data folder ($legacy), unlocked by a fixed password." \
             "It moves to $home now, with a password you choose." >/dev/tty
        new="$(choose_password)"
    fi
    if [ -z "$new" ] || ! printf '%s\n%s\n' "$LEGACY_PASSWORD" "$new" \
            | "${SIGNPOST_PYTHON:-python3}" "$(dirname -- "$0")/keyring_password.py"; then
        rm -rf -- "$home/keyrings"
        echo "$me: the keyring in $legacy was left where it was: its password could not be changed" \
             "(run from a terminal, or set SIGNPOST_KEYRING_PASSWORD to the new password)." >&2
        exit 2
    fi
    rm -rf -- "$legacy"
    echo "$me: moved Signpost's keyring out of the data folder to $home, under the password you chose." >&2
fi
echo "$me: started a private gnome-keyring (Secret Service) for this session, keyrings in $home" >&2
exec "$@"
