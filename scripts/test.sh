#!/usr/bin/env bash
# Install everything the tests need (Python packages, Debian's chromium and npm, axe-core) and run lint, types and tests.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
            || echo "warning: could not install ${missing[*]}; browser tests will be skipped" >&2
    else
        echo "warning: ${missing[*]} missing (install Debian's packages); browser tests will be skipped" >&2
    fi
fi
# The accessibility checker the browser tests run in each page, from the npm registry (package.json).
if command -v npm >/dev/null 2>&1 && [ ! -f node_modules/axe-core/axe.min.js ]; then
    npm install --no-audit --no-fund --silent || echo "warning: npm install failed; accessibility checks skipped" >&2
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
python3 -m ruff check src tests bench
python3 -m mypy
# The tests run on every core (pytest-xdist): most of them wait on SQLite, subprocesses and a browser.
python3 -m pytest -q -n auto "$@"
