#!/usr/bin/env bash
# Installs what building and testing ssetail needs on Debian 12, idempotently.
# Only versioned Boost 1.81 packages: the unversioned ones are 1.74 and conflict.
set -euo pipefail

packages=(g++ cmake make pkg-config clang-format python3
  libboost1.81-dev libboost-filesystem1.81-dev libcpp-httplib-dev libcli11-dev doctest-dev
  zlib1g-dev chromium nginx-light curl procps clang-14 libclang-rt-14-dev)
[ "${1:-}" = "--build-only" ] && packages=(g++ cmake make pkg-config
  libboost1.81-dev libboost-filesystem1.81-dev libcpp-httplib-dev libcli11-dev doctest-dev zlib1g-dev python3)
command -v node >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
