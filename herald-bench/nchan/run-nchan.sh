#!/usr/bin/env bash
# Runs nginx + Nchan in the foreground on 127.0.0.1:PORT with the bench's config, as the calling user's own
# process (never the system service). Pin it like the server under test:
#   taskset -c 0 herald-bench/nchan/run-nchan.sh 18081 /tmp/herald-bench-nchan
# Needs Debian's nginx and libnginx-mod-nchan (apt-get install -y nginx libnginx-mod-nchan).
set -euo pipefail
port=${1:?usage: run-nchan.sh PORT [DIR]}
dir=${2:-/tmp/herald-bench-nchan}
here=$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$dir"
sed -e "s|@PORT@|$port|g" -e "s|@DIR@|$dir|g" "$here/nginx.conf.template" > "$dir/nginx.conf"
ulimit -n 20000 2>/dev/null || true
exec nginx -p "$dir" -c "$dir/nginx.conf"
