#!/usr/bin/env bash
# Installs what building and testing ssetail needs on Debian 12, idempotently.
# Only versioned Boost 1.81 packages: the unversioned ones are 1.74 and conflict.
#   scripts/install-deps.sh                # build, tests, demo
#   scripts/install-deps.sh --build-only   # build only
#   scripts/install-deps.sh --bench        # build, and what bench/run needs (its peers)
set -euo pipefail

build=(g++ cmake make pkg-config
  libboost1.81-dev libboost-filesystem1.81-dev libcpp-httplib-dev libcli11-dev doctest-dev zlib1g-dev libhiredis-dev libre2-dev libgit2-dev python3)
case "${1:-}" in
  --build-only) packages=("${build[@]}") ;;
  # bench/run: websocketd is a peer; coreutils/util-linux give seq, tee, wc, timeout, flock;
  # redis-server (with redis-cli) for scenarios 12-14 (--publish and --relay).
  # libdtl-dev: bench/compare_bench measures dtl beside libgit2 (the plain test tree builds it).
  --bench) packages=("${build[@]}" libdtl-dev websocketd coreutils util-linux redis-server) ;;
  *) packages=("${build[@]}" libdtl-dev ninja-build python3-pytest clang-format chromium nginx-light curl procps clang-14 libclang-rt-14-dev redis-server ccache) ;;
esac
command -v node >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "install-deps: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  # env: sudo drops DEBIAN_FRONTEND from the environment by default.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
