#!/usr/bin/env bash
# The Debian packages the whole test suite needs, installed only when missing:
# - a JDK: HermiT (run by owlready2) and the OWL 2 DL profile checker, a Java source
#   file run against the OWL API (Debian's libowlapi-java);
# - Virtuoso's server and isql (the binaries of virtuoso-opensource, without the system
#   service that package would start), for the tests of Virtuoso as the store;
# - Chromium, which the browser tests drive through Playwright (Playwright never
#   downloads a browser of its own here).
# Run as root, or with sudo available.
set -euo pipefail

missing=()
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
[ -f /usr/share/java/owlapi-distribution.jar ] || missing+=(libowlapi-java)
command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1 \
    || missing+=(virtuoso-opensource-7-bin)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
