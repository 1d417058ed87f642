#!/bin/sh
# The programs the tests need beyond Python: Chromium, Java (for the Nu Html Checker) and npm
# (for axe-core and vnu-jar) for the browser tests, and for the load benchmarks' tests wrk,
# the load generator, and nginx, the proxy in front of bench/scale_out.py's two gunicorns.
# As root on Debian, install what is missing with apt; anywhere else, stop and name the
# packages to install.
set -eu

missing=""
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx"
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages the tests need:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
else
    echo "error: the tests need these Debian packages (or your system's equivalents):$missing" >&2
    echo "       e.g. sudo apt-get install$missing" >&2
    exit 1
fi
