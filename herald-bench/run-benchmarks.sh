#!/usr/bin/env bash
# Herald against Nchan on this machine, every load point of docs/benchmarks.md, one report.
#
#   herald-bench/run-benchmarks.sh [OUT_DIR]        (default: bench-results/<date>)
#
# The servers run pinned to core 0 and the load generator to core 1 (taskset). Each server gets a warm-up run
# first, so that memory figures are not JIT and allocator warm-up. Loopback only; every run is bounded in time.
# Environment:
#   HERALD_JAR, BENCH_JAR  jars to use (default: build them)
#   HERALD_JVM             the server's JVM flags (default below)
#   SERVERS                "herald nchan" (default) or one of them
#   QUICK=1                short runs (smoke-testing this script), not numbers to publish
set -euo pipefail

root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/lib.sh
. "$root/scripts/lib.sh"
herald_find_java

out=${1:-$root/bench-results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
json=$out/results.json
HERALD_JAR=${HERALD_JAR:-$root/herald-server/target/herald.jar}
BENCH_JAR=${BENCH_JAR:-$root/herald-bench/target/herald-bench.jar}
HERALD_JVM=${HERALD_JVM:-"-Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:+UseCompactObjectHeaders -XX:+UseShenandoahGC"}
SERVERS=${SERVERS:-"herald nchan"}
HERALD_PORT=18080
NCHAN_PORT=18081

if [ ! -f "$HERALD_JAR" ] || [ ! -f "$BENCH_JAR" ]; then
  herald_ensure_maven
  (cd "$root" && mvn -B -q -Dmaven.test.skip=true package -pl herald-server,herald-bench -am >&2)
fi
if [[ " $SERVERS " == *" nchan "* ]] && [ ! -f /usr/lib/nginx/modules/ngx_nchan_module.so ]; then
  herald_ensure_apt nginx:nginx libnginx-mod-nchan:/usr/lib/nginx/modules/ngx_nchan_module.so
fi

# D: measured time per load point. LEAD: publishing before it (--warmup), left out of latency, rate and CPU: each
# load point is a fresh bench process, and its first waves run in the interpreter (at 10,000 long polls the first
# message's tail took 1.7 s, the server having answered every poll within 0.27 s).
if [ "${QUICK:-}" = 1 ]; then
  D=5s; BIG=2000; HUGE=3000; USERS=500; NOTIFY=20s; WARM=3s; LEAD=2s
else
  D=20s; BIG=10000; HUGE=19900; USERS=5000; NOTIFY=60s; WARM=15s; LEAD=10s
fi

bench() { taskset -c 1 "$JAVA_HOME/bin/java" -jar "$BENCH_JAR" "$@"; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n1)"
  echo "herald jvm: $HERALD_JVM"
  echo "nginx: $(nginx -v 2>&1)"
  echo "nchan: $(dpkg-query -W -f='${Version}' libnginx-mod-nchan 2>/dev/null || echo unknown)"
  echo "open files: $(ulimit -n) (hard $(ulimit -Hn))"
} | tee "$out/environment.txt"

echo "== floor: one small write to a loopback socket (core 0)"
taskset -c 0 "$JAVA_HOME/bin/java" -jar "$BENCH_JAR" floor --connections 1000 --size 100 --json "$json"
taskset -c 0 "$JAVA_HOME/bin/java" -jar "$BENCH_JAR" floor --connections 1 --size 100 --json "$json"
# As many sockets as the 10,000-subscriber points, within one process's 20,000 files (both ends are ours).
taskset -c 0 "$JAVA_HOME/bin/java" -jar "$BENCH_JAR" floor --connections 9000 --size 100 --json "$json"
echo "== floor paced like the load points: a wave per message, the writer on core 0, the reader on core 1"
floor_paced() {
  "$JAVA_HOME/bin/java" -jar "$BENCH_JAR" floor --size 100 --writer-core 0 --reader-core 1 --json "$json" "$@"
}
floor_paced --connections 1000 --wave-interval 100ms --writes 100000
floor_paced --connections 9000 --wave-interval 1s --writes 90000

for port in $HERALD_PORT $NCHAN_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use: stop what listens there first" >&2
    exit 1
  fi
done

herald_starts=0
start_herald() {
  herald_starts=$((herald_starts + 1))
  gc_log=$out/herald-gc-$herald_starts.log
  # safepoint: the JVM's record of how long each stop held the application (the bench's pause figure).
  # shellcheck disable=SC2086
  taskset -c 0 "$JAVA_HOME/bin/java" $HERALD_JVM -Xlog:gc*,safepoint:file="$gc_log::filecount=0" \
    -jar "$HERALD_JAR" serve --port $HERALD_PORT --io-threads 1 > "$out/herald.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 100); do
    # Alive and answering: a server left on the port by someone else would answer too, and be measured instead.
    kill -0 "$server_pid" 2>/dev/null || break
    curl -sf "http://127.0.0.1:$HERALD_PORT/healthz" >/dev/null && return
    sleep 0.2
  done
  echo "Herald did not start; see $out/herald.log" >&2; exit 1
}

start_nchan() {
  taskset -c 0 "$root/herald-bench/nchan/run-nchan.sh" $NCHAN_PORT "$out/nchan" > "$out/nchan.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 100); do
    kill -0 "$server_pid" 2>/dev/null || break
    curl -sf "http://127.0.0.1:$NCHAN_PORT/nchan_status" >/dev/null && break
    sleep 0.2
  done
  kill -0 "$server_pid" 2>/dev/null || { echo "nginx did not start; see $out/nchan.log" >&2; exit 1; }
  server_pid=$(cat "$out/nchan/nginx.pid")
}

# Both servers run at once, idle while the other is measured, and each load point is measured on Herald and
# then on Nchan, so that the two see the same machine (other processes' load drifts over minutes).
declare -A args
fresh_servers() {   # (re)starts every server and warms it up
  local server
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
  for server in $SERVERS; do
    if [ "$server" = herald ]; then
      start_herald
      args[$server]="--server herald --url http://127.0.0.1:$HERALD_PORT --server-pid $server_pid"
      args[$server]+=" --gc-log $gc_log --heap-pretouched"
    else
      start_nchan
      args[$server]="--server nchan --url http://127.0.0.1:$NCHAN_PORT --server-pid $server_pid"
    fi
    # Warm-up: few connections, many messages. It compiles the hot paths (so the JIT's memory is not counted
    # per connection) without leaving a large connection footprint in the allocators for the memory readings
    # to miss.
    echo "== $server (pid $server_pid): fresh start and warm-up"
    # shellcheck disable=SC2086
    bench run ${args[$server]} --transport sse,ws,longpoll --load 200x50 --duration "$WARM" \
      --json "$out/warmup.json" > /dev/null || true
  done
}

each() {   # each TITLE BENCH-ARGS...: one load point on every server
  local title=$1 server
  shift
  for server in $SERVERS; do
    echo "== $server: $title"
    # shellcheck disable=SC2086
    bench "$@" ${args[$server]} --json "$json" || true
  done
}

# Memory per connection is the growth from an idle server to N connections, so each of these starts from
# fresh servers: allocators (glibc's, nginx's pools) keep what earlier connections freed, and would hide growth.
# Each 10,000-connection point runs twice on the same servers. The first, on fresh servers, gives memory per
# connection. The second gives CPU per delivery and latency in steady state: during the first, the JIT is still
# compiling paths the small warm-up never reached (10,000-wide fan-out, the first WebSocket pings at 15 s), and
# async-profiler put 5-11 % of Herald's samples in C2 compiler threads then. Nchan gets the same two runs.
# Only the points that read memory ask Herald for a full GC (--server-gc, the default): each request restarts
# Shenandoah's learning phase, a cycle per 30 % of the heap allocated, which a long-running server has left behind.
# The other points pass --no-server-gc, so the collector runs as it would in production (docs/benchmarks.md, run 8).
for transport in sse ws longpoll; do
  fresh_servers
  each "$BIG idle $transport connections, 1 msg/s (memory per connection; CPU per delivery)" \
    run --warmup "$LEAD" --transport $transport --load "${BIG}x1" --duration "$D" \
    --scenario "fresh server: memory per connection"
  each "$BIG $transport connections, 1 msg/s, again (steady state: CPU per delivery, latency)" \
    run --warmup "$LEAD" --transport $transport --load "${BIG}x1" --duration "$D" --no-server-gc \
    --scenario "steady state: CPU and latency"
done
for transport in sse ws; do
  each "1000 $transport subscribers at 10 msg/s" \
    run --warmup "$LEAD" --transport $transport --load 1000x10 --duration "$D" --no-server-gc
  each "1000 $transport subscribers, as fast as delivery keeps up (batching)" \
    run --warmup "$LEAD" --transport $transport --load 1000xmax --duration "$D" --no-server-gc
  # The same with 32 messages let outstanding per subscriber instead of 8. At 8, the bench's own flow control sets
  # how many messages wait for a subscriber's write (4.8 per write for Herald's WebSocket, 6.2 for SSE); at 32 a
  # subscriber has a backlog, as a slow reader or a burst gives it (docs/benchmarks.md, after run 11, continued).
  each "1000 $transport subscribers, as fast as delivery keeps up, 32 outstanding per subscriber (batching)" \
    run --warmup "$LEAD" --transport $transport --load 1000xmax --window 32 --duration "$D" --no-server-gc \
    --scenario "32 outstanding per subscriber"
done
each "$HUGE concurrent SSE connections on one process" \
  run --warmup "$LEAD" --transport sse --load "${HUGE}x0.2" --duration "$D" --per-process 10000
# Each notification point first runs as long unmeasured (--warmup): at one event per user per minute its paths reach
# the JIT's thresholds slowly. After run 10, long-poll notifications on a warmed server kept the compiler busy for
# 1.2-1.5 s of each 20 s for over a minute (docs/benchmarks.md), counted as CPU per delivery and on the same core.
for transport in shortpoll longpoll sse ws; do
  each "notifications: $USERS users, one event per user per minute, $transport" \
    notifications --users "$USERS" --transport $transport --warmup "$NOTIFY" --duration "$NOTIFY" --no-server-gc
done

echo "== floor again, after the runs (the machine's load drifts)"
taskset -c 0 "$JAVA_HOME/bin/java" -jar "$BENCH_JAR" floor --connections 1000 --size 100 --json "$json"
floor_paced --connections 1000 --wave-interval 100ms --writes 100000
floor_paced --connections 9000 --wave-interval 1s --writes 90000
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/environment.txt"
bench report "$json"
echo "results: $json"
