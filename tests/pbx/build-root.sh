#!/bin/sh
# Build the Debian sid chroot that holds the test PBX (Asterisk 22).
# Idempotent: a stamp file marks a finished build; re-running is a no-op.
# Usage: tests/pbx/build-root.sh        (root required; ROOT from $PBX_ROOT)
#        PBX_MIRROR=http://host/debian tests/pbx/build-root.sh
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${PBX_ROOT:-$HERE/root}
STAMP="$ROOT/.pbx-root-built"

say() { echo "[build-root] $*"; }
die() { echo "[build-root] ERROR: $*" >&2; exit 1; }

# Use the same mirror host the host system uses (CI machines may proxy it).
pick_mirror() {
    if [ -n "${PBX_MIRROR:-}" ]; then echo "$PBX_MIRROR"; return; fi
    m=$(grep -rhoE '^(URIs:|deb)[[:space:]]+[^[:space:]]*https?://[^[:space:]]*/debian/?([[:space:]]|$)' \
            /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
        | grep -oE 'https?://[^[:space:]]*/debian' | head -n1 || true)
    echo "${m:-http://deb.debian.org/debian}"
}

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap and chroot need it)"

if [ -f "$STAMP" ]; then
    say "already built: $ROOT ($(cat "$STAMP"))"
    exit 0
fi

command -v debootstrap >/dev/null || die "debootstrap not installed (apt-get install debootstrap)"
MIRROR=$(pick_mirror)
say "root:   $ROOT"
say "mirror: $MIRROR (suite sid)"

if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
    # A half-finished debootstrap cannot be resumed reliably: start clean.
    if [ -d "$ROOT" ]; then
        say "removing half-built root"
        for m in proc sys dev/pts dev; do umount -l "$ROOT/$m" 2>/dev/null || true; done
        rm -rf --one-file-system "$ROOT"
    fi
    mkdir -p "$ROOT"
    say "debootstrap --variant=minbase sid (takes a while)"
    KEYRING_OPT=""
    [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] && \
        KEYRING_OPT="--keyring=/usr/share/keyrings/debian-archive-keyring.gpg"
    # shellcheck disable=SC2086
    debootstrap --variant=minbase $KEYRING_OPT sid "$ROOT" "$MIRROR" \
        || die "debootstrap failed (see $ROOT/debootstrap/debootstrap.log)"
fi

say "apt sources + no-valid-until (the mirror may be a dated snapshot)"
echo "deb $MIRROR sid main" > "$ROOT/etc/apt/sources.list"
cat > "$ROOT/etc/apt/apt.conf.d/99pbx" <<'CONF'
Acquire::Check-Valid-Until "false";
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Dpkg::Use-Pty "0";
CONF
# Keep service starts out of the chroot during package install.
printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
chmod +x "$ROOT/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true

in_root() { DEBIAN_FRONTEND=noninteractive LC_ALL=C chroot "$ROOT" "$@"; }

say "apt-get update"
in_root apt-get -o Acquire::Check-Valid-Until=false -q update || die "apt-get update failed"
say "apt-get install asterisk asterisk-modules openssl"
in_root apt-get -o Acquire::Check-Valid-Until=false -q -y install \
    asterisk asterisk-modules openssl ca-certificates || die "apt-get install failed"

say "asterisk dirs owned by root (we run asterisk as root inside the chroot)"
for d in /etc/asterisk /var/lib/asterisk /var/spool/asterisk /var/log/asterisk \
         /var/run/asterisk /run/asterisk /usr/share/asterisk; do
    [ -e "$ROOT$d" ] && chown -R root:root "$ROOT$d"
done
mkdir -p "$ROOT/var/run/asterisk" "$ROOT/var/log/asterisk"

in_root apt-get clean || true
VERSION=$(in_root dpkg-query -W -f '${Version}' asterisk) || die "asterisk not installed"
say "asterisk $VERSION installed"
echo "asterisk $VERSION built $(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$STAMP"
say "done"
