#!/usr/bin/env bash
# Installs the build dependencies, builds ssetail and runs it on a demo command that mixes
# stdout, stderr, colours and a progress bar. Open the printed URL; Ctrl-C to stop.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --build-only
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSSETAIL_BROWSER_TESTS=OFF >/dev/null
cmake --build build -j2 --target ssetail
demo=tests/browser/fixtures/demo.sh
[ -f "$demo" ] || demo=scripts/demo-command.sh
exec build/ssetail --linger -- sh "$demo"
