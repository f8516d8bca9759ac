#!/usr/bin/env bash
# The system programs the end-to-end tests drive (a real broker, a pseudo-terminal serial line,
# a real browser, systemd's tools): installed from Debian's packages when one is missing, so that
# `npm test` is the only command a newcomer runs on a fresh Debian or Raspberry Pi OS machine.
# As root it installs at once; otherwise through sudo (which may ask for the password).
# When nothing can install them, it says what to run and fails: no test is skipped in silence.
set -euo pipefail

# program -> Debian package
declare -A need=(
  [/usr/sbin/mosquitto]=mosquitto
  [mosquitto_pub]=mosquitto-clients
  [mosquitto_sub]=mosquitto-clients
  [socat]=socat
  [/usr/bin/chromium]=chromium
  [python3]=python3
  [systemd-notify]=systemd
  [systemd-analyze]=systemd
)

missing=()
for prog in "${!need[@]}"; do
  command -v "$prog" >/dev/null 2>&1 || missing+=("${need[$prog]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
install="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $packages"
echo "test prerequisites: installing $packages(Debian packages the end-to-end tests use)" >&2
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  bash -c "$install"
elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
  sudo bash -c "$install"
else
  echo "test prerequisites: cannot install them here; run as root: $install" >&2
  exit 1
fi
