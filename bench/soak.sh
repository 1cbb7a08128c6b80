#!/usr/bin/env bash
# Soak benchmark: 50 concurrent clients pushing and pulling for 10 minutes, against Gantry and against CNCF
# Distribution (Debian's docker-registry), one after the other in one run. Goal (issue 9): zero errors, flat memory.
#
#   bench/soak.sh                         # 50 clients, 10 minutes per registry (about 25 minutes in all)
#   SOAK_DURATION=60s bench/soak.sh       # a short check
#   GANTRY_GC_INTERVAL=1m bench/soak.sh   # with Gantry's online garbage collection running every minute
#   GANTRY_GC_INTERVAL=1m GANTRY_GC_GRACE_PERIOD=1m SOAK_DELETE_PERCENT=5 bench/soak.sh   # … with something to collect
#   BENCH_POSTGRES=1 bench/soak.sh        # Gantry's metadata in a private PostgreSQL cluster instead of SQLite
#   bench/soak.sh --self-test             # a second Distribution stands in for Gantry (checks the script itself)
#
# What it does:
#   1. for each registry in turn (SOAK_ORDER), on a free loopback port with a fresh data directory: starts it
#      (Gantry: the built registry jar, SQLite by default, JVM with -Xmx$BENCH_GANTRY_XMX and a GC log; Distribution:
#      its own config), waits for GET /v2/ and runs the load generator bench/Soak.java (java.net.http, one virtual
#      thread per client) against it for SOAK_DURATION:
#        - pushes (SOAK_PUSH_PERCENT of the operations) into SOAK_REPOS repositories dev/soak/app-N: a unique config
#          and 1–4 layers, 70 % of them from a fixed pool of SOAK_POOL_LAYERS shared layers (1 KiB–SOAK_POOL_MAX_KIB,
#          log-spread), the rest unique (256 B–SOAK_UNIQUE_MAX_KIB); shared layers are HEADed and skipped, mounted
#          from another repository (?mount=&from=) or uploaded blind, so concurrent uploads of one digest (dedup) and
#          mounts happen all the time; uploads are single POST (≤ 256 KiB), POST + PUT, or chunked PATCHes with
#          Content-Range then PUT (empty or carrying the last chunk); then the manifest by tag (20 %: by digest
#          first, as containerd does); tags are never reused;
#        - pulls of a random image pushed earlier: manifest by tag, by digest, or HEAD by tag then GET by digest,
#          then every blob, each checked against its digest and size;
#        - deletes (SOAK_DELETE_PERCENT, 0 by default) of an image the client pushed: DELETE of the manifest by
#          digest, after withdrawing it from the pulls (a pull already under way may then get 404: expected); the
#          audit checks deleted images stay gone. Gives garbage collection (GANTRY_GC_*) something to collect while
#          the same layers keep being pushed, HEADed and mounted;
#      every response is checked (status, Location, Range, Docker-Content-Digest, Content-Type, bytes); anything
#      unexpected, and any connection error, is an error, never retried. Every SOAK_INTERVAL it prints the
#      throughput and samples the server's RSS (VmRSS of its process tree), CPU time and, for Gantry's JVM, the
#      lowest heap after GC (from -Xlog:gc). After the load an audit re-reads everything acknowledged: every tag
#      (digest checked), every blob in every repository it was pushed to (HEAD, size checked) and the content of
#      every distinct blob once (SOAK_AUDIT=full; head: without the content; off);
#   2. checks the server is still running and counts ERROR/WARN lines and 5xx answers in its log, notes the size of
#      its data directory, stops it and deletes its data;
#   3. prints RSS over time, a flat-memory verdict (median RSS of the last third of the run at most
#      SOAK_RSS_TOLERANCE % above that of the middle third; judged on runs of 5 minutes or more), throughput and
#      Gantry/Distribution ratios, and a Markdown snippet for docs/benchmarks.md. Writes nothing into the repository.
#
# Environment (all optional):
#   SOAK_DURATION=10m (per registry; s, m or h)  SOAK_CLIENTS=50  SOAK_INTERVAL=10s  SOAK_TABLE_EVERY=60s (rows of
#   the Markdown RSS table)  SOAK_PUSH_PERCENT=40  SOAK_DELETE_PERCENT=0  SOAK_REPOS=25  SOAK_POOL_LAYERS=48
#   SOAK_POOL_MAX_KIB=24576  SOAK_UNIQUE_MAX_KIB=4096  SOAK_SEED=1  SOAK_AUDIT=full  SOAK_RSS_TOLERANCE=10 (%)  SOAK_ORDER="dist gantry"
#   SOAK_JAVA_OPTS=-Xmx1g (the load generator's JVM)
#   BENCH_GANTRY_XMX=512m   Gantry's fixed maximum heap, so that a flat RSS means something
#   BENCH_GANTRY_JAVA_OPTS  more JVM options for Gantry (e.g. -XX:+UseSerialGC), empty by default
#   GANTRY_GC_INTERVAL, GANTRY_GC_GRACE_PERIOD, GANTRY_STORAGE_JDBC_URL / _USERNAME / _PASSWORD and every other
#                      GANTRY_* / QUARKUS_* variable reach Gantry unchanged (the printed command line lists them)
#   BENCH_POSTGRES=1   start a private PostgreSQL cluster (initdb under the run directory, as user postgres when run
#                      as root) and point Gantry at it (GANTRY_STORAGE_JDBC_URL etc.)
#   GANTRY_HOME=<repo root of this script>   JAVA_HOME=<newest JDK 21+ under /usr/lib/jvm>   BENCH_WORK=/tmp/gantry-bench
#   BENCH_DIST_PORT / BENCH_GANTRY_PORT      fixed ports instead of free ones
#   BENCH_GANTRY_CMD   command line that starts "Gantry" instead of the jar (see bench/push-pull.sh; no GC log then)
#   BENCH_SELF_TEST=1  same as --self-test
#   BENCH_KEEP=1       keep the run's directory (logs, per-interval samples; the data directories are always deleted)
#
# Exit status: 0 all good; 1 an error on Gantry (a request, a digest, the audit, the server died); 3 Gantry's memory
# was not flat on a run long enough to judge; 2 bad usage or a missing tool. Errors of the baseline are reported (the
# report lists them) but do not fail the run: Distribution is measured, not judged. With --self-test the stand-in for
# Gantry is judged like Gantry.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }

SELF_TEST="${BENCH_SELF_TEST:-0}"
for arg in "$@"; do
  case "$arg" in
    --self-test) SELF_TEST=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/lib.sh
source "$SCRIPT_DIR/lib.sh" # servers, cleanup, numbers (shared with the other benchmarks)

GANTRY_HOME="${GANTRY_HOME:-$(cd "$SCRIPT_DIR/.." && pwd)}"
WORK="${BENCH_WORK:-/tmp/gantry-bench}"
CLIENTS="${SOAK_CLIENTS:-50}"
PUSH_PERCENT="${SOAK_PUSH_PERCENT:-40}"
DELETE_PERCENT="${SOAK_DELETE_PERCENT:-0}"
REPOS="${SOAK_REPOS:-25}"
POOL_LAYERS="${SOAK_POOL_LAYERS:-48}"
POOL_MAX_KIB="${SOAK_POOL_MAX_KIB:-24576}"
UNIQUE_MAX_KIB="${SOAK_UNIQUE_MAX_KIB:-4096}"
SEED="${SOAK_SEED:-1}"
AUDIT="${SOAK_AUDIT:-full}"
RSS_TOLERANCE="${SOAK_RSS_TOLERANCE:-10}"
ORDER="${SOAK_ORDER:-dist gantry}"
SOAK_JAVA_OPTS="${SOAK_JAVA_OPTS:--Xmx1g}"
GANTRY_XMX="${BENCH_GANTRY_XMX:-512m}"
JUDGE_MIN_S=300 # shorter runs are dominated by JIT, class loading and the heap growing to its working size

seconds() { # name value: 90, 90s, 10m, 1h -> seconds
  local n u
  [[ "$2" =~ ^([0-9]+)([smh]?)$ ]] || { echo "$1 must be a duration like 600, 90s, 10m or 1h (got '$2')" >&2; exit 2; }
  n=${BASH_REMATCH[1]}; u=${BASH_REMATCH[2]}
  case "$u" in m) n=$((n * 60)) ;; h) n=$((n * 3600)) ;; esac
  ((n > 0)) || { echo "$1 must be > 0" >&2; exit 2; }
  echo "$n"
}
DURATION=$(seconds SOAK_DURATION "${SOAK_DURATION:-10m}")
INTERVAL=$(seconds SOAK_INTERVAL "${SOAK_INTERVAL:-10s}")
TABLE_EVERY=$(seconds SOAK_TABLE_EVERY "${SOAK_TABLE_EVERY:-60s}")
bench_whole SOAK_CLIENTS "$CLIENTS"
bench_whole SOAK_PUSH_PERCENT "$PUSH_PERCENT" zero
bench_whole SOAK_DELETE_PERCENT "$DELETE_PERCENT" zero
bench_whole SOAK_REPOS "$REPOS"
bench_whole SOAK_POOL_LAYERS "$POOL_LAYERS"
bench_whole SOAK_POOL_MAX_KIB "$POOL_MAX_KIB"
bench_whole SOAK_UNIQUE_MAX_KIB "$UNIQUE_MAX_KIB"
bench_whole SOAK_SEED "$SEED" zero
bench_whole SOAK_RSS_TOLERANCE "$RSS_TOLERANCE" zero
((PUSH_PERCENT + DELETE_PERCENT <= 100)) || { echo "SOAK_PUSH_PERCENT + SOAK_DELETE_PERCENT > 100" >&2; exit 2; }
[[ "$AUDIT" =~ ^(full|head|off)$ ]] || { echo "SOAK_AUDIT is full, head or off (got '$AUDIT')" >&2; exit 2; }
[[ "$ORDER" =~ ^\ *(dist\ +gantry|gantry\ +dist)\ *$ ]] \
  || { echo "SOAK_ORDER is \"dist gantry\" or \"gantry dist\"" >&2; exit 2; }
[[ "$GANTRY_XMX" =~ ^[0-9]+[kKmMgG]?$ ]] || { echo "BENCH_GANTRY_XMX is a heap size like 512m" >&2; exit 2; }
bench_require_tools docker-registry curl jq awk du
if [[ "${BENCH_POSTGRES:-0}" == 1 ]]; then
  [[ -z "${GANTRY_STORAGE_JDBC_URL:-}" ]] \
    || { echo "BENCH_POSTGRES=1 or GANTRY_STORAGE_JDBC_URL, not both" >&2; exit 2; }
  PG_BIN="/usr/lib/postgresql/$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null \
    | sort -V | tail -1)/bin"
  [[ -x "$PG_BIN/initdb" ]] || { echo "BENCH_POSTGRES=1 needs PostgreSQL (apt-get install -y postgresql)" >&2; exit 2; }
fi

bench_capture_command "$0" "$@"
while IFS= read -r name; do # this script's own settings, for the printed command line
  ORIG_ENV+="$name=$(printf '%q' "${!name}") "
done < <(compgen -e | grep -E '^SOAK_' | sort)
ORIG_ENV="$(sed -E 's/(PASSWORD=)[^ ]*/\1…/g' <<<"$ORIG_ENV")" # never print a password

bench_run_dir "$WORK" # RUN_DIR, LOG; stops the servers and removes RUN_DIR on exit (lib.sh)
JAVA_HOME="$(pick_java)"; export JAVA_HOME
CLK_TCK="$(getconf CLK_TCK)"

# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL (BENCH_POSTGRES=1): a throwaway cluster that only this run uses
DB_LABEL="SQLite (default, in the data directory)"
[[ -n "${GANTRY_STORAGE_JDBC_URL:-}" ]] && DB_LABEL="GANTRY_STORAGE_JDBC_URL=${GANTRY_STORAGE_JDBC_URL}"
PG_PID=""
PG_PORT=""
start_postgres() {
  local port dir="$RUN_DIR/postgres" as=()
  port="$(free_port)"; PG_PORT=$port
  mkdir -p "$dir"
  if ((EUID == 0)); then # initdb and postgres refuse to run as root
    chmod o+x "$RUN_DIR"; chown postgres "$dir"; as=(runuser -u postgres --)
  fi
  log "starting a private PostgreSQL ($("$PG_BIN/postgres" --version)) on 127.0.0.1:$port"
  "${as[@]}" "$PG_BIN/initdb" -D "$dir/data" -U gantry -A trust -E UTF8 >"$RUN_DIR/initdb.log" 2>&1 \
    || die "initdb failed, see $RUN_DIR/initdb.log"
  start_bg "$RUN_DIR/postgres.log" "${as[@]}" "$PG_BIN/postgres" -D "$dir/data" -p "$port" -k "$dir" \
    -c listen_addresses=127.0.0.1
  PG_PID=$LAST_PID
  for _ in $(seq 100); do "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" && break; sleep 0.2; done
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" || die "PostgreSQL did not start, see $RUN_DIR/postgres.log"
  "$PG_BIN/psql" -q -h 127.0.0.1 -p "$port" -U gantry -d postgres -c 'CREATE DATABASE gantry' >>"$LOG" 2>&1 \
    || die "CREATE DATABASE failed"
  export GANTRY_STORAGE_JDBC_URL="jdbc:postgresql://127.0.0.1:$port/gantry" GANTRY_STORAGE_USERNAME=gantry \
    GANTRY_STORAGE_PASSWORD=gantry
  DB_LABEL="PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') (private cluster, BENCH_POSTGRES=1)"
}

# ---------------------------------------------------------------------------------------------------------------
# One soak per registry
declare -A NAME=([dist]="Distribution" [gantry]="Gantry")
declare -A RC=() SERVER_NOTE=() DATA_BYTES=() SERVER_ALIVE=()
if [[ "$SELF_TEST" == 1 ]]; then NAME[gantry]="Gantry (self-test: 2nd Distribution)"; DB_LABEL="n/a (self-test)"; fi
GANTRY_VERSION=""
GANTRY_JVM=""

start_registry() { # key -> PID, PORT, DATA, GC_LOG
  local key=$1
  DATA="$RUN_DIR/data-$key"
  GC_LOG=""
  if [[ "$key" == dist ]]; then
    PORT="${BENCH_DIST_PORT:-$(free_port)}"
    log "starting Distribution on 127.0.0.1:$PORT"
    start_distribution distribution "$PORT" "$DATA"; PID=$LAST_PID
    wait_v2 Distribution "http://127.0.0.1:$PORT/v2/" "$PID" 60
  elif [[ "$SELF_TEST" == 1 ]]; then
    PORT="${BENCH_GANTRY_PORT:-$(free_port)}"
    log "SELF-TEST: starting a second Distribution in place of Gantry on 127.0.0.1:$PORT"
    start_distribution gantry "$PORT" "$DATA"; PID=$LAST_PID
    GANTRY_VERSION="Distribution $(bench_dist_version)"
    wait_v2 "${NAME[gantry]}" "http://127.0.0.1:$PORT/v2/" "$PID" 60
  else
    PORT="${BENCH_GANTRY_PORT:-$(free_port)}"
    GC_LOG="$RUN_DIR/gantry-gc.log"
    # -Xmx fixed so that RSS has a ceiling to flatten under; the GC log gives the heap after every collection
    # without asking the JVM anything (jcmd would add safepoints of its own).
    read -r -a extra <<<"${BENCH_GANTRY_JAVA_OPTS:-}"
    GANTRY_JAVA_OPTS=("-Xmx$GANTRY_XMX" "-Xlog:gc:file=$GC_LOG:uptime" "${extra[@]}")
    [[ "${BENCH_POSTGRES:-0}" == 1 && -z "$PG_PID" ]] && start_postgres
    start_gantry "$PORT" "$DATA"; PID=$LAST_PID # the jar, or BENCH_GANTRY_CMD (lib.sh)
    if [[ -n "${BENCH_GANTRY_CMD:-}" ]]; then GC_LOG=""; else GANTRY_JVM="-Xmx$GANTRY_XMX${extra[*]:+ ${extra[*]}}"; fi
    wait_v2 Gantry "http://127.0.0.1:$PORT/v2/" "$PID" "$GANTRY_TIMEOUT"
  fi
}

server_log_note() { # key logfile -> one line: ERROR/WARN lines and 5xx answers in the server's log
  local key=$1 f=$2 errors warns fivexx
  if [[ "$key" == gantry && "$SELF_TEST" != 1 ]]; then
    errors=$(grep -cE '^[0-9:.]+ ERROR ' "$f" || true)
    warns=$(grep -cE '^[0-9:.]+ WARN ' "$f" || true)
  else # Distribution logs its 4xx answers (a HEAD of a blob not there yet) at level=error: they are expected
    errors=$(grep -E 'level=(error|fatal|panic)' "$f" | grep -cvE 'http\.response\.status=4[0-9]{2}' || true)
    warns=$(grep -c 'level=warn' "$f" || true)
  fi
  fivexx=$(grep -cE '" 5[0-9]{2} ' "$f" || true)
  echo "$errors ERROR and $warns WARN lines, $fivexx answers 5xx in its log"
}

soak() { # key
  local key=$1 out="$RUN_DIR/out-$1" logfile args
  start_registry "$key"
  args=(--url="http://127.0.0.1:$PORT" --label="${NAME[$key]}" --out="$out" --clients="$CLIENTS"
    --duration="$DURATION" --interval="$INTERVAL" --push-percent="$PUSH_PERCENT" --delete-percent="$DELETE_PERCENT"
    --repos="$REPOS"
    --pool-layers="$POOL_LAYERS" --pool-max-kib="$POOL_MAX_KIB" --unique-max-kib="$UNIQUE_MAX_KIB" --seed="$SEED"
    --audit="$AUDIT" --rss-tolerance="$RSS_TOLERANCE" --pid="$PID" --clk-tck="$CLK_TCK")
  [[ -n "$GC_LOG" ]] && args+=(--gc-log="$GC_LOG")
  log "${NAME[$key]}: $CLIENTS clients for ${DURATION}s (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
  read -r -a jopts <<<"$SOAK_JAVA_OPTS"
  set +e
  "$JAVA_HOME/bin/java" "${jopts[@]}" "$SCRIPT_DIR/Soak.java" "${args[@]}" | tee "$RUN_DIR/soak-$key.out"
  RC[$key]=${PIPESTATUS[0]}
  set -e
  [[ -f "$out/summary.json" ]] || die "the load generator ended without a summary (exit ${RC[$key]})"
  if kill -0 "$PID" 2>/dev/null; then SERVER_ALIVE[$key]=1; else SERVER_ALIVE[$key]=0; RC[$key]=1; fi
  if [[ "$key" == dist ]]; then logfile="$RUN_DIR/distribution.log"; else logfile="$RUN_DIR/gantry.log"; fi
  SERVER_NOTE[$key]="$(server_log_note "$key" "$logfile")"
  DATA_BYTES[$key]=$(du -sb "$DATA" | awk '{print $1}')
  log "${NAME[$key]}: $(jq -r '"\(.errors) errors, \(.audit_errors) audit errors"' "$out/summary.json"); server" \
    "$([[ ${SERVER_ALIVE[$key]} == 1 ]] && echo running || echo DIED); ${SERVER_NOTE[$key]}; load average after:" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
  if [[ "$key" == gantry && -n "$PG_PID" ]]; then # that Gantry really kept its metadata there
    local rows
    rows=$("$PG_BIN/psql" -tA -h 127.0.0.1 -p "$PG_PORT" -U gantry -d gantry -c 'SELECT count(*) FROM manifests' \
      2>>"$LOG" || echo 0)
    ((rows > 0)) || die "Gantry's PostgreSQL database has no manifests after the soak: was it used?"
    log "PostgreSQL holds $rows manifest rows"
  fi
  bench_stop_one "$PID"
  if [[ "$key" == gantry && -n "$PG_PID" ]]; then bench_stop_one "$PG_PID"; fi
  rm -rf "$DATA" # can be many GiB; the next registry gets the disk to itself
}

for key in $ORDER; do soak "$key"; done

# ---------------------------------------------------------------------------------------------------------------
# Report
D="$RUN_DIR/out-dist/summary.json"
G="$RUN_DIR/out-gantry/summary.json"
val() { jq -r "if .$2 == null then \"n/a\" else .$2 end" "$1"; }
num() { # file field [decimals]
  awk -v v="$(val "$1" "$2")" -v d="${3:-1}" 'BEGIN { if (v == "n/a") print v; else printf "%.*f\n", d, v }'
}
ratio() { # field: Gantry / Distribution, n/a when either has no figure
  local g d; g=$(val "$G" "$1"); d=$(val "$D" "$1")
  if [[ "$g" == n/a || "$d" == n/a ]]; then echo n/a; else div "$g" "$d"; fi
}

# Rows every SOAK_TABLE_EVERY (and the last sample) from both interval files, joined on the sample's index (both
# sample at the same offsets from the start of their load): RSS at that moment, Gantry's lowest heap after GC over the
# row's period, images (pushes + pulls) per second over the row's period.
rss_rows() {
  awk -F'\t' -v every="$TABLE_EVERY" '
    FNR == 1 { f++; next }
    { i = FNR - 1; n[f] = i; t[f, i] = $1 + 0; rss[f, i] = $8; heap[f, i] = $10; img[f, i] = $2 + $3 }
    function cell(v) { return v == "" || v == "-" ? "–" : sprintf("%.0f", v) }
    function rate(g, i) { return i > n[g] || t[g, i] <= pt[g] ? "–" : sprintf("%.1f", sum[g] / (t[g, i] - pt[g])) }
    END {
      m = n[1] > n[2] ? n[1] : n[2]
      for (i = 1; i <= m; i++) {
        for (g = 1; g <= 2; g++) if (i <= n[g]) {
          sum[g] += img[g, i]
          if (heap[g, i] != "-" && (lo[g] == "" || heap[g, i] + 0 < lo[g] + 0)) lo[g] = heap[g, i]
        }
        tt = i <= n[2] ? t[2, i] : t[1, i]
        if (tt % every != 0 && i != n[1] && i != n[2]) continue
        printf "| %d:%02d | %s | %s | %s | %s | %s |\n", int(tt / 60), tt % 60, cell(rss[1, i]), cell(rss[2, i]),
          cell(lo[2]), rate(1, i), rate(2, i)
        for (g = 1; g <= 2; g++) if (i <= n[g]) { sum[g] = 0; lo[g] = ""; pt[g] = t[g, i] }
      }
    }
  ' "$RUN_DIR/out-dist/intervals.tsv" "$RUN_DIR/out-gantry/intervals.tsv"
}

verdict() { # file -> text
  local r flat
  r=$(num "$1" rss_ratio 2); flat=$(val "$1" rss_flat)
  if ((DURATION < JUDGE_MIN_S)); then
    echo "not judged (a run shorter than $((JUDGE_MIN_S / 60)) minutes): last/middle third = $r"
  elif [[ "$flat" == true ]]; then
    echo "**flat**: last/middle third = $r ≤ $(awk -v t="$RSS_TOLERANCE" 'BEGIN{printf "%.2f", 1 + t / 100}')"
  else
    echo "**NOT flat**: last/middle third = $r > $(awk -v t="$RSS_TOLERANCE" 'BEGIN{printf "%.2f", 1 + t / 100}')"
  fi
}

heap_line() { # Gantry's heap after GC, when its GC log was read
  [[ "$(val "$G" heap_after_gc_max_mib)" != n/a ]] || return 0
  printf ' %s heap after GC (the lowest per interval, from its GC log): median %s MiB in the middle third, %s MiB in' \
    "$GL's" "$(num "$G" heap_after_gc_second_third_median_mib 0)" "$(num "$G" heap_after_gc_last_third_median_mib 0)"
  printf ' the last, highest %s MiB; %s collections during the load, longest pause %s ms.' \
    "$(num "$G" heap_after_gc_max_mib 0)" "$(val "$G" gcs)" "$(num "$G" gc_max_pause_ms 0)"
}

gc_line() { # Gantry's own garbage collection runs during its soak (GANTRY_GC_INTERVAL), from its log
  local f="$RUN_DIR/gantry.log"
  [[ "$SELF_TEST" != 1 && -f "$f" ]] && grep -q 'garbage collection: ' "$f" || return 0
  printf ' %s' "$(awk '/garbage collection: [0-9]+ manifests/ {
      n++; line = $0; sub(/.*garbage collection: /, "", line); split(line, w, /[ (),;]+/)
      m += w[1]; l += w[3]; r += w[5]; b += w[7]; bytes += w[9]; u += w[16]; if (w[20] + 0 > ms) ms = w[20] + 0 }
    END { printf "Gantry'"'"'s garbage collection ran %d time(s) during its soak and removed %d manifests, %d links, " \
      "%d repositories, %d blobs (%.1f MiB), %d expired uploads; its longest run took %d ms.", n, m, l, r, b,
      bytes / 1048576, u, ms }' "$f")"
}

deletes_head() { ((DELETE_PERCENT == 0)) || echo " / deleted"; }
deletes_cell() { ((DELETE_PERCENT == 0)) || echo " / $(val "$1" deletes)"; }

audit_text() {
  case "$AUDIT" in
    full) echo "$(val "$G" audit_tags) tags, $(val "$G" audit_blob_links) blob links and the content of $(val "$G" \
      audit_distinct_blobs) distinct blobs ($(num "$G" audit_mib 0) MiB) from ${GL}" ;;
    head) echo "$(val "$G" audit_tags) tags and $(val "$G" audit_blob_links) blob links (HEAD; contents not re-read:" \
      "SOAK_AUDIT=head) from ${GL}" ;;
    off) echo "nothing (SOAK_AUDIT=off)" ;;
  esac
}

paths_line() { jq -r '.paths | to_entries | map("\(.key) \(.value)") | join("; ")' "$1"; }

DATE="$(date -u +'%Y-%m-%d %H:%M UTC')"
DIST_VERSION="$(bench_dist_version)"
GL="${NAME[gantry]}"
MIN=$((DURATION / 60)); SEC=$((DURATION % 60))
DUR_TEXT="${MIN} min ${SEC} s"
if ((MIN == 0)); then DUR_TEXT="${SEC} s"; elif ((SEC == 0)); then DUR_TEXT="${MIN} min"; fi

report() {
  cat <<EOF
### Soak: ${CLIENTS} clients pushing and pulling for ${DUR_TEXT} per registry — ${DATE}

| | Distribution ${DIST_VERSION} | ${GL} | Gantry / Distribution |
|---|---:|---:|---:|
| errors during the load | $(val "$D" errors) | $(val "$G" errors) | |
| audit errors (tags, blob links, contents re-read afterwards) | $(val "$D" audit_errors) | $(val "$G" audit_errors) | |
| images pushed / pulled$(deletes_head) | $(val "$D" pushes) / $(val "$D" pulls)$(deletes_cell "$D") | $(val "$G" pushes) / $(val "$G" pulls)$(deletes_cell "$G") | |
| images per second (push + pull) | $(num "$D" images_per_s) | $(num "$G" images_per_s) | **$(ratio images_per_s)** |
| requests per second | $(num "$D" requests_per_s 0) | $(num "$G" requests_per_s 0) | $(ratio requests_per_s) |
| MiB/s (up + down) | $(num "$D" mib_per_s) | $(num "$G" mib_per_s) | **$(ratio mib_per_s)** |
| push of one image, p50 / p99 (ms) | $(num "$D" push_p50_ms 0) / $(num "$D" push_p99_ms 0) | $(num "$G" push_p50_ms 0) / $(num "$G" push_p99_ms 0) | $(ratio push_p50_ms) / $(ratio push_p99_ms) |
| pull of one image, p50 / p99 (ms) | $(num "$D" pull_p50_ms 0) / $(num "$D" pull_p99_ms 0) | $(num "$G" pull_p50_ms 0) / $(num "$G" pull_p99_ms 0) | $(ratio pull_p50_ms) / $(ratio pull_p99_ms) |
| server CPU per image (ms) | $(num "$D" server_cpu_ms_per_image) | $(num "$G" server_cpu_ms_per_image) | $(ratio server_cpu_ms_per_image) |
| RSS before the load → max → at the end (MiB) | $(num "$D" rss_start_mib 0) → $(num "$D" rss_max_mib 0) → $(num "$D" rss_end_mib 0) | $(num "$G" rss_start_mib 0) → $(num "$G" rss_max_mib 0) → $(num "$G" rss_end_mib 0) | |
| RSS median, middle → last third (MiB) | $(num "$D" rss_second_third_median_mib 0) → $(num "$D" rss_last_third_median_mib 0) | $(num "$G" rss_second_third_median_mib 0) → $(num "$G" rss_last_third_median_mib 0) | |
| memory | $(verdict "$D") | $(verdict "$G") | |
| data directory after the soak (MiB) | $(awk -v b="${DATA_BYTES[dist]}" 'BEGIN{printf "%.0f", b / 1048576}') | $(awk -v b="${DATA_BYTES[gantry]}" 'BEGIN{printf "%.0f", b / 1048576}') | |
| server log | ${SERVER_NOTE[dist]} | ${SERVER_NOTE[gantry]} | |

Throughput ratios above 1.00 mean Gantry did more in the same time; latency and CPU ratios below 1.00 mean Gantry was
faster or cheaper.$(heap_line)

RSS over time (MiB; heap: ${GL}'s lowest heap after GC in the period; images/s over the period):

| t (min:s) | Distribution RSS | ${GL} RSS | ${GL} heap after GC | Distribution images/s | ${GL} images/s |
|---|---:|---:|---:|---:|---:|
$(rss_rows)

Workload (the same seed for both): ${CLIENTS} clients, each its own HTTP/1.1 connection pool, no think time;
${PUSH_PERCENT} % pushes into ${REPOS} repositories \`dev/soak/app-N\` (1–4 layers: 70 % from a pool of $(val "$G" pool_layers) shared layers,
$(num "$G" pool_mib) MiB, 1 KiB–$(num "$G" pool_max_mib) MiB; the rest unique, up to $(num "$G" unique_max_mib) MiB), $((100 - PUSH_PERCENT - DELETE_PERCENT)) % pulls of a random earlier
image (every blob's digest checked)$( ((DELETE_PERCENT == 0)) || echo ", ${DELETE_PERCENT} % deletes of an image the client pushed"). The audit after the
load re-read $(audit_text).$(gc_line)
Paths taken on ${GL}: $(paths_line "$G").

${GL}: ${GANTRY_VERSION}${GANTRY_JVM:+; JVM options \`${GANTRY_JVM}\`, $(sed -n 's/.*\] Using \(.*\)/\1 GC/p' "$RUN_DIR/gantry-gc.log" 2>/dev/null | head -1)}; metadata: ${DB_LABEL}.
Machine: $(bench_machine); shared and noisy.

Command: \`${ORIG_ENV}${ORIG_CMD}\`
EOF
  errors_section
}

errors_section() { # the first errors of each registry that had any, as the load generator wrote them
  local key n
  for key in dist gantry; do
    n=$(($(val "$RUN_DIR/out-$key/summary.json" errors) + $(val "$RUN_DIR/out-$key/summary.json" audit_errors)))
    ((n > 0)) || continue
    printf '\n**Errors on %s** (%d; the first %d):\n\n```\n' "${NAME[$key]}" "$n" "$((n < 5 ? n : 5))"
    head -n 5 "$RUN_DIR/out-$key/errors.log" | cut -c1-400
    printf '```\n'
  done
  if [[ "${SERVER_ALIVE[dist]}" != 1 || "${SERVER_ALIVE[gantry]}" != 1 ]]; then
    printf '\n**A server died during its soak:** %s\n' "$(for key in dist gantry; do
      [[ "${SERVER_ALIVE[$key]}" == 1 ]] || printf '%s ' "${NAME[$key]}"; done)"
  fi
}

echo
echo "================ Markdown for docs/benchmarks.md ================"
report
echo "================================================================="

STATUS=0
for key in dist gantry; do
  if [[ "${RC[$key]}" != 0 ]]; then
    what="errors on the baseline (reported, not fatal)"
    if [[ "$key" == gantry ]]; then what="FAILED"; STATUS=1; fi
    state=DIED; [[ ${SERVER_ALIVE[$key]} == 1 ]] && state="still running"
    log "$what: ${NAME[$key]}: $(jq -r '"\(.errors) errors during the load, \(.audit_errors) in the audit"' \
      "$RUN_DIR/out-$key/summary.json"); server $state"
    log "first errors (all in $RUN_DIR/out-$key/errors.log):"
    head -n 10 "$RUN_DIR/out-$key/errors.log" | cut -c1-400 >&2
  fi
done
if ((STATUS == 0 && DURATION >= JUDGE_MIN_S)) && [[ "$(val "$G" rss_flat)" != true ]]; then
  log "FAILED: ${GL}'s RSS is not flat: $(verdict "$G")"
  STATUS=3
fi
if ((STATUS == 0)); then log "no errors on ${GL}"; fi
if ((STATUS == 0)) && [[ "${RC[dist]}" != 0 ]]; then
  BENCH_KEEP=1 # the baseline's logs are worth a look; bench_cleanup keeps them
fi
exit "$STATUS"
