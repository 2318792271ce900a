#!/usr/bin/env bash
# The suites that drive a real headless browser: Debian's chromium (installed here when missing, never downloaded
# by a browser installer), driven by playwright-core with its executable path.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ -z "${RISKCTL_CHROMIUM:-}" ] && ! command -v chromium >/dev/null; then
  echo "test:browser: installing Debian's chromium (apt-get)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi
fi
npm run build
npx vitest run --config test/browser/vitest.config.ts "$@"
