#!/usr/bin/env bash
# Runs the whole Narratives test suite: unit, database (real PostgreSQL) and browser (real Chromium) tests.
#
# The tests start their own throw-away PostgreSQL cluster unless NARRATIVES_TEST_DB names a server to use.
# What they need from the machine (PostgreSQL server programs, Debian's chromium) is installed here when
# missing and this script may install (running as root, or CI=true with sudo); otherwise it says what to install.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && ! command -v initdb >/dev/null; then
    missing+=(postgresql)
fi
if [ ! -x /usr/bin/chromium ]; then
    missing+=(chromium)
fi

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        apt_get=(apt-get)
    elif [ "${CI:-}" = "true" ] && command -v sudo >/dev/null; then
        apt_get=(sudo apt-get)
    else
        echo "The tests need these Debian packages: ${missing[*]}" >&2
        echo "Install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
        exit 2
    fi
    echo "Installing ${missing[*]} ..."
    "${apt_get[@]}" update -qq
    DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test Narratives.sln --nologo "$@" 2>&1 | tee "$log" || status=$?

# One closing line for the whole run, summed over the test projects.
awk '
    /(Passed|Failed)! +- +Failed: / {
        gsub(",", "");
        for (i = 1; i <= NF; i++) {
            if ($i == "Failed:") failed += $(i + 1);
            if ($i == "Passed:") passed += $(i + 1);
            if ($i == "Skipped:") skipped += $(i + 1);
        }
    }
    END { printf "Tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }
' "$log"
exit "$status"
