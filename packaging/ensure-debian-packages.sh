#!/usr/bin/env bash
# Install the Debian packages listed in packaging/debian-packages.txt that are
# missing. As root it installs them; otherwise it prints the one command to run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mapfile -t wanted < <(grep -v '^\s*#' "$here/debian-packages.txt" | sed '/^\s*$/d')
missing=()
for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Signpost needs these packages (Debian names): ${missing[*]}" >&2
    echo "Install their equivalents with your system's package manager, then run make again." >&2
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Signpost needs some system packages. Run this once, then make again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Debian's postgresql package makes and starts a "main" cluster on 5432 when it is installed, which Signpost
# never uses (its tests and its national stack start their own, as an unprivileged account): so
# postgresql-common goes in first, and its createcluster.conf is told not to, before the server is installed.
if printf '%s\n' "${missing[@]}" | grep -Eq '^postgresql'; then  # the server, or what pulls it in
    conf="${SIGNPOST_CREATECLUSTER_CONF:-/etc/postgresql-common/createcluster.conf}"
    dpkg-query -W -f='${Status}' postgresql-common 2>/dev/null | grep -q "install ok installed" \
        || apt-get install -y -qq --no-install-recommends postgresql-common >/dev/null
    if grep -Eq '^[#[:space:]]*create_main_cluster[[:space:]]*=' "$conf"; then
        sed -i -E 's/^[#[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' "$conf"
    else
        echo "create_main_cluster = false" >> "$conf"
    fi
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
