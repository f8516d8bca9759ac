#!/usr/bin/env bash
# duegate installer for Raspberry Pi OS and Debian (arm64, amd64). See docs/install.md.
#
#   sudo scripts/install.sh                 install or upgrade, enable and (re)start
#   sudo scripts/install.sh --no-start      install, enable, but do not start now
#   scripts/install.sh --destdir /tmp/root  stage into a throwaway root: no apt-get,
#                                           useradd, chown, systemctl or udevadm
#
# Safe to run again: the config and the data are never overwritten, the app is rebuilt
# beside the running one and swapped in (the previous one is kept in /opt/duegate.previous).
set -euo pipefail

readonly APP_NAME=duegate
readonly NODE_MAJOR_DEFAULT=22 # NodeSource line when Debian's nodejs is too old (Node 20 is EOL since 2026-04)

DESTDIR=""
START=1
BUILD=1
PACKAGES=1

usage() {
	cat <<'EOF'
Usage: install.sh [--destdir DIR] [--no-start] [--no-build] [--no-packages]

  --destdir DIR   install into DIR as a throwaway root (packaging, tests); implies --no-packages
                  and makes no system changes outside DIR
  --no-start      enable the service but do not start or restart it now
  --no-build      use the dist/ already in the source tree (a release tarball) instead of
                  building; only production dependencies are installed
  --no-packages   do not apt-get anything (Node >= 20.19 must already be installed)
  -h, --help      this text

Environment: NODE_MAJOR (default 22) picks the NodeSource line when Node is missing.
EOF
}

while [ $# -gt 0 ]; do
	case "$1" in
	--destdir) DESTDIR="${2:?--destdir needs a directory}"; shift 2 ;;
	--destdir=*) DESTDIR="${1#*=}"; shift ;;
	--no-start) START=0; shift ;;
	--no-build) BUILD=0; shift ;;
	--no-packages) PACKAGES=0; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	esac
done

SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -n "$DESTDIR" ]; then
	mkdir -p "$DESTDIR"
	DESTDIR="$(cd "$DESTDIR" && pwd)"
	PACKAGES=0
fi
ROOT="${DESTDIR}"
OPT="$ROOT/opt/$APP_NAME"
ETC="$ROOT/etc/$APP_NAME"
DATA="$ROOT/var/lib/$APP_NAME"

say() { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }
system() { [ -z "$DESTDIR" ]; } # true when changing the real system

# chown only on the real system: in a throwaway root the user does not exist.
own() { if system; then chown "$@"; fi; }

preflight() {
	if system && [ "$(id -u)" -ne 0 ]; then die "run as root (sudo $0), or use --destdir DIR"; fi
	if [ -r /etc/os-release ]; then
		# shellcheck disable=SC1091
		. /etc/os-release
		case " ${ID:-} ${ID_LIKE:-} " in
		*" debian "* | *" raspbian "*) ;;
		*) warn "${PRETTY_NAME:-this system} is not Debian or Raspberry Pi OS; continuing untested" ;;
		esac
	fi
	if command -v dpkg >/dev/null 2>&1; then
		case "$(dpkg --print-architecture)" in
		arm64 | amd64) ;;
		*) warn "architecture $(dpkg --print-architecture) is not tested (use 64-bit Raspberry Pi OS)" ;;
		esac
	fi
	for f in package.json package-lock.json systemd/duegate.service firmware-config/udev/99-duegate-modem.rules; do
		[ -f "$SRC_DIR/$f" ] || die "$SRC_DIR/$f is missing: run this script from a duegate source tree"
	done
}

# Node >= 20.19 (package.json "engines").
node_ok() {
	command -v node >/dev/null 2>&1 &&
		node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null
}

install_node() {
	node_ok && return 0
	[ "$PACKAGES" -eq 1 ] || die "Node >= 20.19 is required and --no-packages/--destdir forbids installing it"
	say "Node >= 20.19 not found; installing it"
	apt-get update -qq
	local candidate major
	candidate="$(apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ {print $2}')"
	candidate="${candidate#*:}" # drop an epoch
	major="${candidate%%.*}"
	if [[ "$major" =~ ^[0-9]+$ ]] && [ "$major" -ge 21 ] ||
		{ [ "$major" = 20 ] && [[ "$candidate" =~ ^20\.(19|[2-9][0-9])\. ]]; }; then
		say "using Debian's nodejs $candidate"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
	else
		# Debian 12 ships Node 18: use NodeSource's signed apt repository (docs/install.md).
		local line="${NODE_MAJOR:-$NODE_MAJOR_DEFAULT}"
		say "Debian offers nodejs '${candidate:-none}'; adding NodeSource's node_${line}.x repository"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ca-certificates curl gnupg
		install -d -m 0755 /etc/apt/keyrings
		curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor --yes -o /etc/apt/keyrings/nodesource.gpg
		echo "deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_${line}.x nodistro main" >/etc/apt/sources.list.d/nodesource.list
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs
	fi
	node_ok || die "Node installation did not give Node >= 20.19 ($(node --version 2>/dev/null || echo none))"
}

install_packages() {
	[ "$PACKAGES" -eq 1 ] || return 0
	# Sticks that start as a CD-ROM need switching (firmware-config/usb_modeswitch/README.md).
	if ! dpkg -s usb-modeswitch usb-modeswitch-data >/dev/null 2>&1; then
		say "installing usb-modeswitch"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq usb-modeswitch usb-modeswitch-data
	fi
}

create_user() {
	# Declarative (systemd-sysusers) so that the user also exists after a rebuilt image.
	install -d -m 0755 "$ROOT/etc/sysusers.d"
	cat >"$ROOT/etc/sysusers.d/$APP_NAME.conf" <<EOF
# duegate service user (installed by scripts/install.sh)
u $APP_NAME - "duegate SMS gateway" /var/lib/$APP_NAME /usr/sbin/nologin
m $APP_NAME dialout
EOF
	system || return 0
	if command -v systemd-sysusers >/dev/null 2>&1; then
		systemd-sysusers "/etc/sysusers.d/$APP_NAME.conf"
	elif ! id -u "$APP_NAME" >/dev/null 2>&1; then
		useradd --system --user-group --home-dir "/var/lib/$APP_NAME" --no-create-home --shell /usr/sbin/nologin --comment "duegate SMS gateway" "$APP_NAME"
	fi
	# The serial ports belong to group dialout.
	usermod -a -G dialout "$APP_NAME"
}

create_dirs() {
	install -d -m 0750 "$ETC"
	own root:"$APP_NAME" "$ETC"
	install -d -m 0700 "$DATA"
	own "$APP_NAME:$APP_NAME" "$DATA"
	install -d -m 0755 "$ROOT/opt" "$ROOT/usr/local/bin" "$ROOT/etc/systemd/system" "$ROOT/etc/udev/rules.d" "$ROOT/etc/modules-load.d"
}

# The logins are made by the service at its first start (src/bridge/credentials.ts, src/auth),
# never written here: a password in the config file cannot be rotated in the panel.
say_first_logins() {
	say "the first start makes the MQTT login for the accounting server (user accounting) and the"
	say "panel's admin password, and shows each once in the journal:"
	say "  journalctl -u $APP_NAME | grep -E 'created (MQTT )?user'"
	say "lost: an admin sets a new MQTT password in the web panel (Settings, MQTT broker)"
}

write_config() {
	local cfg="$ETC/$APP_NAME.yaml"
	local gw_id
	gw_id="$(hostname -s 2>/dev/null | tr -cd 'A-Za-z0-9_-' | head -c 64 || true)"
	[ -n "$gw_id" ] || gw_id=duegate
	if [ -f "$cfg" ]; then
		say "keeping the existing $cfg"
	else
		say "writing a first $cfg (edit it, then: systemctl restart duegate)"
		local old_umask
		old_umask="$(umask)"
		umask 0027
		cat >"$cfg" <<EOF
# duegate configuration. Every key, its default and meaning: /opt/duegate/docs/configuration.md
# Secrets set here (SIM PIN, webhook keys) stay here: the file is root:duegate 0640.
gateway:
  id: $gw_id
  companyName: "Example Alarm Co."
  dataDir: /var/lib/duegate
modem:
  # /dev/duegate-modem is made by /etc/udev/rules.d/99-duegate-modem.rules.
  port: /dev/duegate-modem
  # generic, sim800, sim7600, ec25, e3372 (docs/hardware.md)
  profile: generic
  pin: ""
mqtt:
  # Plain MQTT stays on 127.0.0.1:1883; the LAN connects over TLS on 8883 with the
  # appliance's certificate (/var/lib/duegate/tls/duegate.crt). docs/mqtt.md, "Embedded broker".
  # The accounting server's login (user "accounting") is made at first start and shown once in
  # the journal; an admin sets a new one in the web panel (Settings, MQTT broker). Setting
  # embedded.username/password here instead fixes the login, and the panel cannot rotate it.
  mode: embedded
http:
  # The web panel and API on the LAN, over HTTPS (http.tls: auto). The certificate is made at
  # first start; its SHA-256 fingerprint is in the journal and in duegate doctor (docs/security.md).
  listen: 0.0.0.0:8080
EOF
		umask "$old_umask"
		say_first_logins
	fi
	chmod 0640 "$cfg"
	own root:"$APP_NAME" "$cfg"
}

# Everything the app needs at run time, staged beside the live copy and swapped in.
stage_app() {
	local stage="$OPT.new"
	rm -rf "$stage"
	install -d -m 0755 "$stage"
	local excludes=(--exclude=./.git --exclude=./node_modules --exclude=./test --exclude=./bench
		--exclude=./coverage --exclude=./test-results --exclude=./data --exclude='./*.log')
	[ "$BUILD" -eq 1 ] && excludes+=(--exclude=./dist)
	tar -C "$SRC_DIR" "${excludes[@]}" -cf - . | tar -C "$stage" -xf -
	(
		cd "$stage"
		export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
		if [ "$BUILD" -eq 1 ]; then
			say "npm ci and build in $stage"
			npm ci --no-audit --no-fund --loglevel=error
			npm run --silent build
			# Compilers and test tools are not needed at run time.
			npm prune --omit=dev --no-audit --no-fund --loglevel=error
		else
			[ -d dist ] || die "--no-build: $SRC_DIR/dist is missing"
			say "npm ci --omit=dev in $stage"
			npm ci --omit=dev --no-audit --no-fund --loglevel=error
		fi
	)
	[ -f "$stage/dist/src/main.js" ] || die "the build did not produce dist/src/main.js"
	chmod -R u+rwX,go+rX,go-w "$stage"
	own -R root:root "$stage" 2>/dev/null || true
}

swap_app() {
	local was_active=0
	if system && systemctl is-active --quiet "$APP_NAME" 2>/dev/null; then
		was_active=1
		say "stopping duegate for the swap"
		systemctl stop "$APP_NAME"
	fi
	rm -rf "$OPT.previous"
	if [ -d "$OPT" ]; then mv "$OPT" "$OPT.previous"; fi
	mv "$OPT.new" "$OPT"
	WAS_ACTIVE=$was_active
}

install_system_files() {
	local node_bin
	node_bin="$(command -v node || echo /usr/bin/node)"
	cat >"$ROOT/usr/local/bin/$APP_NAME.new" <<EOF
#!/bin/sh
# duegate command line (installed by scripts/install.sh). exec keeps the PID for systemd.
exec $node_bin /opt/$APP_NAME/dist/src/main.js "\$@"
EOF
	chmod 0755 "$ROOT/usr/local/bin/$APP_NAME.new"
	mv -f "$ROOT/usr/local/bin/$APP_NAME.new" "$ROOT/usr/local/bin/$APP_NAME"

	install -m 0644 "$SRC_DIR/systemd/duegate.service" "$ROOT/etc/systemd/system/duegate.service"
	install -m 0644 "$SRC_DIR/firmware-config/udev/99-duegate-modem.rules" "$ROOT/etc/udev/rules.d/99-duegate-modem.rules"
	# The unit's DeviceAllow=char-ttyUSB/char-ttyACM resolve only if the drivers are loaded
	# when the service starts, so load them at boot even before a modem is plugged in.
	cat >"$ROOT/etc/modules-load.d/$APP_NAME.conf" <<'EOF'
# duegate: USB serial drivers, loaded at boot for the unit's DeviceAllow (scripts/install.sh)
usbserial
option
cdc_acm
EOF
	chmod 0644 "$ROOT/etc/modules-load.d/$APP_NAME.conf"
}

activate() {
	if ! system; then
		say "throwaway root: not calling systemctl, udevadm or modprobe"
		return 0
	fi
	for m in usbserial option cdc_acm; do modprobe "$m" 2>/dev/null || warn "could not load kernel module $m"; done
	if command -v udevadm >/dev/null 2>&1; then
		udevadm control --reload-rules
		udevadm trigger --subsystem-match=tty --action=add || true
	fi
	systemctl daemon-reload
	systemctl enable "$APP_NAME" >/dev/null
	if systemctl is-active --quiet ModemManager 2>/dev/null; then
		warn "ModemManager is running; duegate's udev rule tells it to ignore the modem, but on a dedicated appliance: systemctl disable --now ModemManager"
	fi
	if [ "$START" -eq 1 ]; then
		say "starting duegate"
		systemctl restart "$APP_NAME"
		if ! systemctl is-active --quiet "$APP_NAME"; then
			warn "duegate did not start; see: journalctl -u duegate -b --no-pager | tail -50"
			return 1
		fi
	elif [ "${WAS_ACTIVE:-0}" -eq 1 ]; then
		warn "duegate was running before the upgrade and is stopped now (--no-start); start it with: systemctl start duegate"
	fi
}

main() {
	preflight
	install_node
	install_packages
	create_user
	create_dirs
	write_config
	stage_app
	swap_app
	install_system_files
	activate
	say "duegate installed in ${DESTDIR}/opt/$APP_NAME"
	if system; then
		cat <<EOF

Next:
  sudo nano /etc/duegate/duegate.yaml   # company name, modem profile, SIM PIN
  sudo systemctl restart duegate
  duegate doctor --config /etc/duegate/duegate.yaml
  journalctl -u duegate -f
  journalctl -u duegate | grep -E 'created (MQTT )?user'   # the first logins, shown once
Web panel: http://$(hostname -I 2>/dev/null | awk '{print $1}'):8080/  (docs/install.md)
EOF
	fi
}

main
