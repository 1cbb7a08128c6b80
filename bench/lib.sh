# shellcheck shell=bash disable=SC2034  # (globals set here are read by the scripts that source this file)
# Helpers shared by the benchmark scripts in bench/ (push-pull.sh, promotion.sh). Source it, don't run it:
#
#   SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
#   source "$SCRIPT_DIR/lib.sh"
#
# What it gives:
#   log / die                      timestamped messages on stderr
#   bench_capture_command ARGS…    ORIG_CMD and ORIG_ENV: the command line and the BENCH_/GANTRY_/QUARKUS_/JAVA settings
#   bench_require_tools TOOL…      exit 2 when one is missing
#   bench_whole NAME VALUE [0]     exit 2 unless VALUE is a whole number > 0 (>= 0 with a third argument)
#   bench_run_dir WORK             RUN_DIR (fresh, under WORK) and LOG; the EXIT/INT/TERM traps that stop every server
#                                  started with start_bg and remove RUN_DIR (kept with BENCH_KEEP=1; logs kept on failure)
#   start_bg LOGFILE CMD…          start a server in its own process group, remembered for cleanup; sets LAST_PID
#   bench_stop_one PID             stop one of them (and its process group) before the end
#   port_in_use PORT / free_port   loopback ports
#   wait_v2 NAME URL PID TIMEOUT   wait until GET URL answers 200 (dies when PID exits first)
#   start_distribution NAME PORT DATADIR   Debian's docker-registry with its own config in RUN_DIR; sets LAST_PID
#   pick_java                      JAVA_HOME, or the newest JDK 21+ under /usr/lib/jvm
#   start_gantry PORT DATADIR      Gantry's jar (built when missing; JVM options from the array GANTRY_JAVA_OPTS) or
#                                  BENCH_GANTRY_CMD; sets LAST_PID, GANTRY_VERSION, GANTRY_TIMEOUT and exports JAVA_HOME
#   bench_image MIB LAYERS         build (once, cached under WORK) an OCI image of MIB MiB of random data in LAYERS
#                                  layers; sets IMAGE_DIR, IMAGE_REF, MANIFEST_DIGEST, MANIFEST_FILE, IMAGE_BYTES,
#                                  IMAGE_LAYERS, IMAGE_MIB_REAL
#   elapsed T0 T1 / median "V…" / minmax "V…" / div A B     numbers (seconds or ms, space-separated lists)
#   bench_machine / bench_versions one-line descriptions for the Markdown output
#
# Globals read: WORK (bench_image), GANTRY_HOME and GANTRY_JAVA_OPTS (start_gantry), BENCH_KEEP, BENCH_GANTRY_CMD,
# JAVA_HOME.

BENCH_SKOPEO_CACHE=/var/lib/containers/cache/blob-info-cache-v1.boltdb

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

bench_capture_command() { # "$0" "$@" of the script
  local name
  ORIG_CMD="$1"; shift
  ORIG_CMD+="${*:+ $*}"
  ORIG_ENV=""  # the settings that shape this run, for the printed command line
  while IFS= read -r name; do
    ORIG_ENV+="$name=$(printf '%q' "${!name}") "
  done < <(compgen -e | grep -E '^(BENCH_|GANTRY_|QUARKUS_|JAVA_HOME$|JAVA_TOOL_OPTIONS$|JDK_JAVA_OPTIONS$)' | sort)
}

bench_require_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 2; }
  done
}

bench_whole() { # name value [allow-zero]
  if [[ "$2" =~ ^[0-9]+$ ]] && { (($2 > 0)) || [[ -n "${3:-}" ]]; }; then return 0; fi
  echo "$1 must be a whole number$([[ -n "${3:-}" ]] || echo ' > 0') (got '$2')" >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------------------------
# Run directory and cleanup
PIDS=() # servers we started; each leads its own process group (setsid), so its children stop with it
GANTRY_JAVA_OPTS=() # JVM options for Gantry's jar (start_gantry), e.g. (-Xmx512m)

bench_run_dir() { # work-dir -> RUN_DIR, LOG; installs the traps
  mkdir -p "$1"
  RUN_DIR="$(mktemp -d "$1/run.XXXXXX")"
  LOG="$RUN_DIR/bench.log"
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

start_bg() { # logfile command... -> sets LAST_PID
  local logfile=$1; shift
  setsid "$@" >"$logfile" 2>&1 </dev/null &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

bench_stop_one() { # pid: TERM to its process group, KILL after 10 s (safe under set -e)
  local pid=$1
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}

bench_stop_servers() {
  local pid
  for pid in "${PIDS[@]}"; do bench_stop_one "$pid"; done
  PIDS=()
}

bench_cleanup() {
  local rc=$? f
  set +e
  bench_stop_servers
  if [[ -z "${RUN_DIR:-}" || ! -d "$RUN_DIR" ]]; then
    exit $rc
  elif [[ $rc -eq 130 || $rc -eq 143 ]]; then
    log "interrupted; stopped the registries and removed $RUN_DIR"
    rm -rf "$RUN_DIR"
  elif [[ "${BENCH_KEEP:-0}" == 1 || $rc -ne 0 ]]; then
    if [[ $rc -ne 0 ]]; then
      log "failed (exit $rc); last lines of the logs in $RUN_DIR:"
      for f in "$RUN_DIR"/*.log; do [[ -f "$f" ]] && { echo "--- $f" >&2; tail -n 8 "$f" | cut -c1-400 >&2; }; done
      # keep logs, drop the (large) data
      rm -rf "$RUN_DIR"/data-* "$RUN_DIR"/pull
    fi
    log "kept $RUN_DIR"
  else
    rm -rf "$RUN_DIR"
  fi
  exit $rc
}

# ---------------------------------------------------------------------------------------------------------------
# Servers
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { # below the ephemeral range: a port that is the local end of some client's connection is not
  # "in use" for port_in_use, yet a server cannot bind it
  local p lo=0 base=20000 span=30000
  read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  if ((lo > 11024)); then base=10000; span=$((lo - 10000)); fi
  for _ in $(seq 200); do
    p=$((base + RANDOM % span))
    port_in_use "$p" || { echo "$p"; return; }
  done
  die "no free port found"
}

wait_v2() { # name url pid timeout_s
  local name=$1 url=$2 pid=$3 timeout=$4 code t0=$SECONDS
  while :; do
    kill -0 "$pid" 2>/dev/null || die "$name exited before answering $url"
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)"
    [[ "$code" == 200 ]] && return 0
    ((SECONDS - t0 < timeout)) || die "$name did not answer GET $url with 200 within ${timeout}s (last: $code)"
    sleep 0.2
  done
}

start_distribution() { # name port datadir -> sets LAST_PID
  local name=$1 port=$2 data=$3 cfg="$RUN_DIR/$1.yml"
  mkdir -p "$data"
  cat >"$cfg" <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
EOF
  start_bg "$RUN_DIR/$name.log" docker-registry serve "$cfg"
}

pick_java() {
  if [[ -n "${JAVA_HOME:-}" ]]; then echo "$JAVA_HOME"; return; fi
  local d v best="" bestv=0
  for d in /usr/lib/jvm/*/; do
    d="${d%/}"
    [[ -x "$d/bin/java" && ! -L "$d" ]] || continue
    v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$d/release" 2>/dev/null || true)"
    [[ -n "$v" ]] || v="$("$d/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')"
    [[ -n "$v" ]] && ((v >= 21 && v > bestv)) && { best=$d; bestv=$v; }
  done
  [[ -n "$best" ]] || die "no JDK 21+ under /usr/lib/jvm; set JAVA_HOME"
  echo "$best"
}

start_gantry() { # port datadir -> LAST_PID, GANTRY_VERSION, GANTRY_TIMEOUT; logs to RUN_DIR/gantry.log
  local port=$1 data=$2 jv jar
  if [[ -n "${BENCH_GANTRY_CMD:-}" ]]; then
    mkdir -p "$data"
    log "starting Gantry with BENCH_GANTRY_CMD on 127.0.0.1:$port"
    start_bg "$RUN_DIR/gantry.log" env GANTRY_PORT="$port" QUARKUS_HTTP_PORT="$port" \
      GANTRY_DATA_DIR="$data" bash -c "$BENCH_GANTRY_CMD"
    GANTRY_VERSION="custom command: $BENCH_GANTRY_CMD"
    GANTRY_TIMEOUT=120
    return
  fi
  JAVA_HOME="$(pick_java)"; export JAVA_HOME
  jv="$("$JAVA_HOME/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')"
  if [[ -z "$jv" ]] || ((jv < 21)); then
    die "JAVA_HOME=$JAVA_HOME is not a JDK 21+ (unset it to pick the newest under /usr/lib/jvm)"
  fi
  jar="$GANTRY_HOME/registry/target/quarkus-app/quarkus-run.jar"
  if [[ ! -f "$jar" ]]; then
    log "building Gantry's registry in $GANTRY_HOME (jar missing)"
    (cd "$GANTRY_HOME" && ./mvnw -B -q -pl registry -am package -DskipTests) >"$RUN_DIR/build.log" 2>&1 \
      || die "Gantry build failed, see $RUN_DIR/build.log"
  fi
  mkdir -p "$data"
  log "starting Gantry ($jar, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)) on 127.0.0.1:$port"
  start_bg "$RUN_DIR/gantry.log" env QUARKUS_HTTP_PORT="$port" GANTRY_DATA_DIR="$data" \
    "$JAVA_HOME/bin/java" "${GANTRY_JAVA_OPTS[@]}" -jar "$jar"
  GANTRY_VERSION="$(git -C "$GANTRY_HOME" rev-parse --short HEAD 2>/dev/null || echo unknown)$(
    git -C "$GANTRY_HOME" diff --quiet HEAD -- 2>/dev/null || echo '+dirty')"
  GANTRY_VERSION="commit $GANTRY_VERSION, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
  GANTRY_TIMEOUT=120
}

# ---------------------------------------------------------------------------------------------------------------
# Test images (cached under WORK)
bench_build_image() { # mib layers dir
  local mib_total=$1 layers=$2 dir=$3 tmp="$WORK/image-build.$$" per_layer rest i mib
  rm -rf "$tmp"; mkdir -p "$tmp"
  per_layer=$((mib_total / layers)); rest=$((mib_total % layers))
  log "building the test image: $mib_total MiB of random data in $layers layers (cached in $dir)"
  umoci init --layout "$tmp/layout"
  umoci new --image "$tmp/layout:bench"
  umoci config --image "$tmp/layout:bench" --config.cmd /bin/true --author gantry-bench \
    --created 2024-01-01T00:00:00Z --history.created 2024-01-01T00:00:00Z
  for ((i = 1; i <= layers; i++)); do
    mib=$per_layer; ((i == layers)) && mib=$((per_layer + rest))
    openssl rand -out "$tmp/layer$i.bin" $((mib * 1024 * 1024))
    # one insert = one layer; random data does not compress, so each gzip layer is ~mib MiB. Fixed timestamps keep
    # the config's size (and so the image's) the same from build to build.
    umoci insert --image "$tmp/layout:bench" --history.created_by "gantry-bench layer $i" \
      --history.created 2024-01-01T00:00:00Z "$tmp/layer$i.bin" "/data/layer$i.bin"
    rm -f "$tmp/layer$i.bin"
  done
  umoci gc --layout "$tmp/layout"
  rm -rf "$dir"; mkdir -p "$dir"
  mv "$tmp/layout" "$dir/layout"; rm -rf "$tmp"
  touch "$dir/complete"
}

bench_image() { # mib layers -> IMAGE_DIR IMAGE_REF MANIFEST_DIGEST MANIFEST_FILE IMAGE_BYTES IMAGE_LAYERS IMAGE_MIB_REAL
  local mib=$1 layers=$2
  ((mib >= layers)) || die "an image of $mib MiB cannot have $layers layers"
  IMAGE_DIR="$WORK/image-v2-${mib}MiB-${layers}layers" # v2: bump when the recipe changes
  IMAGE_REF="oci:$IMAGE_DIR/layout:bench"
  [[ -f "$IMAGE_DIR/complete" ]] || bench_build_image "$mib" "$layers" "$IMAGE_DIR"
  MANIFEST_DIGEST="$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "bench") | .digest' "$IMAGE_DIR/layout/index.json")"
  MANIFEST_FILE="$IMAGE_DIR/layout/blobs/${MANIFEST_DIGEST/://}"
  [[ -f "$MANIFEST_FILE" ]] || die "cached image is broken; delete $IMAGE_DIR"
  IMAGE_BYTES="$(jq '[.config.size] + [.layers[].size] | add' "$MANIFEST_FILE")"
  IMAGE_LAYERS="$(jq '.layers | length' "$MANIFEST_FILE")"
  IMAGE_MIB_REAL="$(awk -v b="$IMAGE_BYTES" 'BEGIN{printf "%.1f", b/1048576}')"
  log "image: $IMAGE_LAYERS layers + config = $IMAGE_BYTES bytes ($IMAGE_MIB_REAL MiB), manifest $MANIFEST_DIGEST"
}

# ---------------------------------------------------------------------------------------------------------------
# Numbers: lists are space-separated values
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", b - a}'; }
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{v[NR]=$1} END{ if (NR%2) printf "%.3f", v[(NR+1)/2]; else printf "%.3f", (v[NR/2]+v[NR/2+1])/2 }'; }
minmax() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk 'NR==1{a=$1} {b=$1} END{printf "%.2f–%.2f", a, b}'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }

# ---------------------------------------------------------------------------------------------------------------
# Descriptions
bench_machine() { # `nproc` = 2, CPU, memory … (`free -g`), kernel
  local cpu mem
  cpu="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
  mem="$(free -g | awk '/^Mem:/{print $2 " GiB total, " $7 " GiB available"}')"
  # shellcheck disable=SC2016  # backquotes are Markdown
  printf '`nproc` = %s, %s, memory %s (`free -g`), %s' "$(nproc)" "${cpu:-unknown CPU}" "$mem" "$(uname -sr)"
}
bench_dist_version() { docker-registry --version | awk '{print $3}'; }
bench_versions() { # skopeo, umoci, Distribution
  printf 'skopeo %s, umoci %s, Distribution %s' "$(skopeo --version | awk '{print $3}')" \
    "$(umoci --version | awk '{print $3}')" "$(bench_dist_version)"
}

# The run's warnings (array WARNINGS), as a Markdown list after the snippet; nothing when there are none.
bench_warnings() {
  if ((${#WARNINGS[@]})); then
    echo
    echo "**Warnings:**"
    printf -- '- %s\n' "${WARNINGS[@]}"
  fi
}
