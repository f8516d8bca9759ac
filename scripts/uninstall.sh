#!/usr/bin/env bash
# duegate uninstaller. Keeps the configuration (/etc/duegate) and the data
# (/var/lib/duegate) unless --purge is given. See docs/install.md.
#
#   sudo scripts/uninstall.sh            remove the service and the app, keep config and data
#   sudo scripts/uninstall.sh --purge    also delete config, data and the duegate user
#   scripts/uninstall.sh --destdir DIR   the same inside a throwaway root (no systemctl, userdel)
set -euo pipefail

readonly APP_NAME=duegate
DESTDIR=""
PURGE=0

usage() {
	cat <<'EOF'
Usage: uninstall.sh [--destdir DIR] [--purge]

  --destdir DIR   remove from DIR (a throwaway root made by install.sh --destdir)
  --purge         also delete /etc/duegate, /var/lib/duegate (ALL messages, ledger, history)
                  and the duegate user. Take a backup first: duegate backup --out FILE
EOF
}

while [ $# -gt 0 ]; do
	case "$1" in
	--destdir) DESTDIR="${2:?--destdir needs a directory}"; shift 2 ;;
	--destdir=*) DESTDIR="${1#*=}"; shift ;;
	--purge) PURGE=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "uninstall.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	esac
done

if [ -n "$DESTDIR" ]; then
	[ -d "$DESTDIR" ] || { echo "uninstall.sh: $DESTDIR does not exist" >&2; exit 1; }
	DESTDIR="$(cd "$DESTDIR" && pwd)"
fi
ROOT="$DESTDIR"
system() { [ -z "$DESTDIR" ]; }
say() { printf '==> %s\n' "$*"; }

if system && [ "$(id -u)" -ne 0 ]; then
	echo "uninstall.sh: run as root (sudo $0)" >&2
	exit 1
fi

if system && command -v systemctl >/dev/null 2>&1; then
	say "stopping and disabling duegate"
	systemctl disable --now "$APP_NAME" 2>/dev/null || true
fi

say "removing the app, the unit, the udev rule and the command"
rm -rf "$ROOT/opt/$APP_NAME" "$ROOT/opt/$APP_NAME.previous" "$ROOT/opt/$APP_NAME.new"
rm -f "$ROOT/etc/systemd/system/$APP_NAME.service" \
	"$ROOT/etc/udev/rules.d/99-duegate-modem.rules" \
	"$ROOT/etc/modules-load.d/$APP_NAME.conf" \
	"$ROOT/usr/local/bin/$APP_NAME"
rm -rf "$ROOT/etc/systemd/system/$APP_NAME.service.d"

if system; then
	if command -v systemctl >/dev/null 2>&1; then systemctl daemon-reload || true; fi
	if command -v udevadm >/dev/null 2>&1; then udevadm control --reload-rules || true; fi
fi

if [ "$PURGE" -eq 1 ]; then
	say "purging configuration and data"
	rm -rf "$ROOT/etc/${APP_NAME:?}" "$ROOT/var/lib/${APP_NAME:?}"
	rm -f "$ROOT/etc/sysusers.d/$APP_NAME.conf"
	if system && id -u "$APP_NAME" >/dev/null 2>&1; then
		userdel "$APP_NAME" || true
		if getent group "$APP_NAME" >/dev/null; then groupdel "$APP_NAME" 2>/dev/null || true; fi
	fi
else
	say "kept ${ROOT}/etc/$APP_NAME (configuration) and ${ROOT}/var/lib/$APP_NAME (data); --purge deletes them"
fi
# Node.js and the NodeSource apt repository (if install.sh added it) are left in place.
say "duegate removed"
