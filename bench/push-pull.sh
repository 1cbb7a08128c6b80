#!/usr/bin/env bash
# Push/pull benchmark: Gantry's registry against CNCF Distribution (Debian's docker-registry), in one run.
#
#   bench/push-pull.sh               # 1 GiB image in 4 layers, 5 rounds, real Gantry
#   bench/push-pull.sh --self-test   # a second Distribution stands in for Gantry (checks the script itself)
#
# What it does:
#   1. builds one OCI image with umoci from random data (BENCH_IMAGE_MIB split in BENCH_LAYERS layers) and caches it
#      under BENCH_WORK, so re-runs skip this step;
#   2. starts Distribution (own config, fresh storage dir) and Gantry (fresh GANTRY_DATA_DIR) on free loopback ports;
#   3. per round (the first registry alternates): skopeo push into a fresh repository dev/bench/rN/app:rN, skopeo pull
#      into a fresh dir:, each timed with date +%s.%N; skopeo's blob-info cache is deleted before every copy so that
#      it never tries cross-repository mounts;
#   4. prints medians, MiB/s and Gantry/Distribution ratios;
#   5. dedup check: pushes the image into dev/dedup/{a,b,c,d} on both, promotes dev/dedup/a:1 to qa, staging, prod
#      (Gantry: management API, if the server has one; Distribution: skopeo copy with mounts), and compares `du -sb`
#      of the blob stores with the image size;
#   6. prints a Markdown snippet for docs/benchmarks.md. Writes nothing into the repository.
#
# Environment (all optional):
#   BENCH_IMAGE_MIB=1024  BENCH_LAYERS=4  BENCH_ROUNDS=5  BENCH_WORK=/tmp/gantry-bench
#   BENCH_WARMUP=1     one untimed push + pull per registry before the rounds (0: none)
#   GANTRY_HOME=<repo root of this script>   JAVA_HOME=<newest JDK 21+ under /usr/lib/jvm>
#   BENCH_DIST_PORT / BENCH_GANTRY_PORT      fixed ports instead of free ones
#   BENCH_GANTRY_CMD   command line that starts "Gantry" instead of the jar (run with bash -c; GANTRY_PORT,
#                      QUARKUS_HTTP_PORT and GANTRY_DATA_DIR are exported to it)
#   BENCH_GANTRY_BLOBS blob directory inside GANTRY_DATA_DIR used by the dedup check (default: blobs)
#   BENCH_SELF_TEST=1  same as --self-test
#   BENCH_KEEP=1       keep the run's temporary data dirs and logs (for debugging)
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
source "$SCRIPT_DIR/lib.sh" # the helpers (servers, image cache, cleanup, numbers), shared with bench/promotion.sh
GANTRY_HOME="${GANTRY_HOME:-$(cd "$SCRIPT_DIR/.." && pwd)}"
IMAGE_MIB="${BENCH_IMAGE_MIB:-1024}"
LAYERS="${BENCH_LAYERS:-4}"
ROUNDS="${BENCH_ROUNDS:-5}"
WARMUP="${BENCH_WARMUP:-1}"
WORK="${BENCH_WORK:-/tmp/gantry-bench}"
GANTRY_BLOBS_SUBDIR="${BENCH_GANTRY_BLOBS:-blobs}"
SKOPEO_CACHE=$BENCH_SKOPEO_CACHE
bench_capture_command "$0" "$@"

for v in IMAGE_MIB LAYERS ROUNDS WARMUP; do
  [[ "${!v}" =~ ^[0-9]+$ && ( "${!v}" -gt 0 || "$v" == WARMUP ) ]] || { echo "$v must be a whole number, > 0 except BENCH_WARMUP (got '${!v}')" >&2; exit 2; }
done
((WARMUP > 0)) && WARMUP=1
((IMAGE_MIB >= LAYERS)) || { echo "BENCH_IMAGE_MIB must be >= BENCH_LAYERS" >&2; exit 2; }
bench_require_tools skopeo umoci docker-registry curl jq openssl awk du

# ---------------------------------------------------------------------------------------------------------------
# Run directory and cleanup
bench_run_dir "$WORK" # RUN_DIR, LOG; stops the servers and removes RUN_DIR on exit (lib.sh)

# ---------------------------------------------------------------------------------------------------------------
# 1. The test image (cached)
bench_image "$IMAGE_MIB" "$LAYERS" # cached under WORK (lib.sh)

# ---------------------------------------------------------------------------------------------------------------
# 2. The servers
DIST_PORT="${BENCH_DIST_PORT:-$(free_port)}"
GANTRY_PORT="${BENCH_GANTRY_PORT:-$(free_port)}"
while [[ "$GANTRY_PORT" == "$DIST_PORT" ]]; do GANTRY_PORT="$(free_port)"; done
DIST_DATA="$RUN_DIR/data-distribution"
GANTRY_DATA="$RUN_DIR/data-gantry"
DIST_BLOBS="$DIST_DATA/docker/registry/v2/blobs"

log "starting Distribution on 127.0.0.1:$DIST_PORT"
start_distribution distribution "$DIST_PORT" "$DIST_DATA"; DIST_PID=$LAST_PID

GANTRY_LABEL="Gantry"
GANTRY_VERSION=""
if [[ "$SELF_TEST" == 1 ]]; then
  GANTRY_LABEL="Gantry (self-test: 2nd Distribution)"
  log "SELF-TEST: starting a second Distribution in place of Gantry on 127.0.0.1:$GANTRY_PORT"
  start_distribution gantry "$GANTRY_PORT" "$GANTRY_DATA"; GANTRY_PID=$LAST_PID
  GANTRY_BLOBS="$GANTRY_DATA/docker/registry/v2/blobs"
  GANTRY_VERSION="Distribution $(bench_dist_version)"
  GANTRY_TIMEOUT=60
else
  start_gantry "$GANTRY_PORT" "$GANTRY_DATA"; GANTRY_PID=$LAST_PID # the jar, or BENCH_GANTRY_CMD (lib.sh)
  GANTRY_BLOBS="$GANTRY_DATA/$GANTRY_BLOBS_SUBDIR"
fi

wait_v2 Distribution "http://127.0.0.1:$DIST_PORT/v2/" "$DIST_PID" 60
wait_v2 "$GANTRY_LABEL" "http://127.0.0.1:$GANTRY_PORT/v2/" "$GANTRY_PID" "$GANTRY_TIMEOUT"
log "both registries answer GET /v2/ with 200"

# ---------------------------------------------------------------------------------------------------------------
# 3. Rounds
declare -A PORT=([dist]=$DIST_PORT [gantry]=$GANTRY_PORT)
declare -A NAME=([dist]=Distribution [gantry]="$GANTRY_LABEL")
declare -A PUSH=([dist]="" [gantry]="")
declare -A PULL=([dist]="" [gantry]="")
WARNINGS=()

# A real upload: no blob-info cache (no cross-repo mount attempts), fresh repository (HEAD of every blob answers 404).
push_image() { # key repo:tag -> sets T
  local key=$1 ref=$2 out="$RUN_DIR/skopeo-push.out" t0 t1
  rm -f "$SKOPEO_CACHE"
  sync
  t0=$(date +%s.%N)
  if ! skopeo copy --dest-tls-verify=false "$IMAGE_REF" "docker://127.0.0.1:${PORT[$key]}/$ref" >"$out" 2>&1; then
    cat "$out" >>"$LOG"
    if grep -q 'StatusCode: 413' "$out"; then
      log "hint: ${NAME[$key]} refused skopeo's single streamed PATCH with 413 (request body too large). For Gantry that" \
        "is Quarkus' quarkus.http.limits.max-body-size (10 MiB by default): fix it in the server, or measure anyway" \
        "with QUARKUS_HTTP_LIMITS_MAX_BODY_SIZE=2G in the environment (it is printed with the command)."
    fi
    die "push to ${NAME[$key]} ($ref) failed: $(tail -n 3 "$out")"
  fi
  t1=$(date +%s.%N)
  { echo "### push ${NAME[$key]} $ref"; cat "$out"; } >>"$LOG"
  if grep -qiE 'skipped|already exists|mount' "$out"; then
    WARNINGS+=("push to ${NAME[$key]} $ref reused existing blobs (not a full upload): $(grep -ciE 'skipped|already exists' "$out") blob(s)")
  fi
  T=$(elapsed "$t0" "$t1")
}

pull_image() { # key repo:tag -> sets T
  local key=$1 ref=$2 out="$RUN_DIR/skopeo-pull.out" dest="$RUN_DIR/pull" t0 t1 n
  rm -rf "$dest"; rm -f "$SKOPEO_CACHE"
  sync
  t0=$(date +%s.%N)
  skopeo copy --src-tls-verify=false "docker://127.0.0.1:${PORT[$key]}/$ref" "dir:$dest" >"$out" 2>&1 \
    || { cat "$out" >>"$LOG"; die "pull from ${NAME[$key]} ($ref) failed: $(tail -n 3 "$out")"; }
  t1=$(date +%s.%N)
  { echo "### pull ${NAME[$key]} $ref"; cat "$out"; } >>"$LOG"
  # skopeo verified every digest; check that we got the whole image back
  n=$(find "$dest" -type f ! -name manifest.json ! -name version -printf '%s\n' | awk '{s += $1} END{print s + 0}')
  [[ "$n" == "$IMAGE_BYTES" ]] || die "pull from ${NAME[$key]} ($ref) returned $n bytes of blobs, expected $IMAGE_BYTES"
  rm -rf "$dest"
  T=$(elapsed "$t0" "$t1")
}

WARMUP_NOTE="none"
if ((WARMUP)); then
  # JIT, connection pools, page cache of the image: both registries get one untimed push + pull first, so that every
  # timed round runs under the same conditions (round 1 would otherwise be the only one into an empty blob store).
  log "warm-up (not counted): one push + pull of the image on each registry"
  WARMUP_NOTE=""
  for key in dist gantry; do
    push_image "$key" "dev/bench/warmup/app:w"; p=$T
    pull_image "$key" "dev/bench/warmup/app:w"; q=$T
    log "warm-up: ${NAME[$key]}: push ${p}s, pull ${q}s"
    WARMUP_NOTE+="${NAME[$key]} push ${p} s, pull ${q} s; "
  done
  WARMUP_NOTE="${WARMUP_NOTE%; }"
fi

log "$ROUNDS round(s): push then pull, first registry alternates"
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then order=(dist gantry); else order=(gantry dist); fi
  ref="dev/bench/r$r/app:r$r"
  for key in "${order[@]}"; do
    push_image "$key" "$ref"; p=$T
    pull_image "$key" "$ref"; q=$T
    PUSH[$key]+="$p "; PULL[$key]+="$q "
    log "round $r: ${NAME[$key]}: push ${p}s, pull ${q}s"
  done
done

mibs() { awk -v bytes="$IMAGE_BYTES" -v s="$1" 'BEGIN{ if (s == 0) print "n/a"; else printf "%.0f", bytes / 1048576 / s }'; }

DPUSH=$(median "${PUSH[dist]}"); GPUSH=$(median "${PUSH[gantry]}")
DPULL=$(median "${PULL[dist]}"); GPULL=$(median "${PULL[gantry]}")

# ---------------------------------------------------------------------------------------------------------------
# 5. Dedup: the same image in 4 more repositories of each registry
blob_bytes() { if [[ -d "$1" ]]; then du -sb "$1" | awk '{print $1}'; else echo 0; fi; }
data_bytes() { du -sb "$1" | awk '{print $1}'; }

DEDUP_REPOS=(dev/dedup/a dev/dedup/b dev/dedup/c dev/dedup/d)
log "dedup check: pushing the image into ${DEDUP_REPOS[*]} on both registries"
for key in dist gantry; do
  for repo in "${DEDUP_REPOS[@]}"; do push_image "$key" "$repo:1"; done
done

# Promotion dev → qa → staging → prod of dev/dedup/a:1. Gantry: its management API (a metadata operation); Distribution
# has none, so the usual way is a registry-to-registry skopeo copy — with skopeo's blob-info cache primed, so that it
# mounts blobs across repositories (Distribution's best case).
PROMO_HOPS=("dev qa" "qa staging" "staging prod")
declare -A PROMO=([dist]="" [gantry]="")
PROMO_METHOD_GANTRY="management API (POST /api/v1/promotions)"
promote_copy() { # key from to -> sets T
  local key=$1 from=$2 to=$3 out="$RUN_DIR/skopeo-promote.out" t0 t1
  t0=$(date +%s.%N)
  skopeo copy --src-tls-verify=false --dest-tls-verify=false "docker://127.0.0.1:${PORT[$key]}/$from/dedup/a:1" \
    "docker://127.0.0.1:${PORT[$key]}/$to/dedup/a:1" >"$out" 2>&1 \
    || { cat "$out" >>"$LOG"; die "copy $from → $to on ${NAME[$key]} failed: $(tail -n 3 "$out")"; }
  t1=$(date +%s.%N)
  { echo "### promote ${NAME[$key]} $from -> $to"; cat "$out"; } >>"$LOG"
  T=$(elapsed "$t0" "$t1")
}
promote_api() { # from to -> sets T, PROMO_CODE
  local from=$1 to=$2 t0 t1
  t0=$(date +%s.%N)
  PROMO_CODE=$(curl -s -o "$RUN_DIR/promote.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d "{\"repository\":\"dedup/a\",\"from\":\"$from\",\"to\":\"$to\",\"tag\":\"1\"}" \
    "http://127.0.0.1:$GANTRY_PORT/api/v1/promotions" || echo 000)
  t1=$(date +%s.%N)
  { echo "### promote Gantry $from -> $to: HTTP $PROMO_CODE"; cat "$RUN_DIR/promote.out"; echo; } >>"$LOG"
  T=$(elapsed "$t0" "$t1")
}
prime_mounts() { # key: untimed pull of dev/dedup/a:1, so that skopeo's blob-info cache records where its blobs are
  # on this registry and the timed copies can mount them (a push whose blobs all exist records nothing)
  rm -f "$SKOPEO_CACHE"; rm -rf "$RUN_DIR/pull"
  skopeo copy --src-tls-verify=false "docker://127.0.0.1:${PORT[$1]}/dev/dedup/a:1" "dir:$RUN_DIR/pull" >>"$LOG" 2>&1 \
    || die "pull of dev/dedup/a:1 from ${NAME[$1]} failed"
  rm -rf "$RUN_DIR/pull"
}
log "promotion of dev/dedup/a:1 through qa, staging, prod"
prime_mounts dist
for hop in "${PROMO_HOPS[@]}"; do
  read -r from to <<<"$hop"
  promote_copy dist "$from" "$to"; PROMO[dist]+="$T "
done
[[ "$SELF_TEST" == 1 ]] && prime_mounts gantry
for hop in "${PROMO_HOPS[@]}"; do
  read -r from to <<<"$hop"
  if [[ "$SELF_TEST" == 1 ]]; then
    promote_copy gantry "$from" "$to"; PROMO[gantry]+="$T "
    PROMO_METHOD_GANTRY="skopeo copy with mounts, like Distribution (self-test)"
  elif [[ -n "$PROMO_METHOD_GANTRY" ]]; then
    promote_api "$from" "$to"
    if [[ "$PROMO_CODE" == 201 || "$PROMO_CODE" == 200 ]]; then
      PROMO[gantry]+="$T "
    elif [[ "$from" == dev && ( "$PROMO_CODE" == 404 || "$PROMO_CODE" == 405 ) ]]; then
      PROMO_METHOD_GANTRY=""  # this server has no promotion API
      log "Gantry has no promotion API (HTTP $PROMO_CODE); promotion not measured"
    else
      die "promotion $from → $to on Gantry answered HTTP $PROMO_CODE: $(head -c 300 "$RUN_DIR/promote.out")"
    fi
  fi
done
PROMOTED=0
if [[ -n "$PROMO_METHOD_GANTRY" ]]; then
  PROMOTED=${#PROMO_HOPS[@]}
  for key in dist gantry; do # the promoted image must be pullable from prod
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
      "http://127.0.0.1:${PORT[$key]}/v2/prod/dedup/a/manifests/1")
    [[ "$code" == 200 ]] || die "prod/dedup/a:1 on ${NAME[$key]} answers $code after promotion"
  done
fi
promo_cell() { # key hop-index
  local v; v=$(awk -v i="$2" '{print $i}' <<<"${PROMO[$1]}")
  echo "${v:-n/a}"
}
promo_rows() {
  local i
  for ((i = 1; i <= ${#PROMO_HOPS[@]}; i++)); do
    printf '| %s | %s | %s |\n' "${PROMO_HOPS[i-1]/ / → }" "$(promo_cell dist "$i")" "$(promo_cell gantry "$i")"
  done
}

REPOS_TOTAL=$((ROUNDS + WARMUP + ${#DEDUP_REPOS[@]} + PROMOTED))
DB=$(blob_bytes "$DIST_BLOBS"); GB=$(blob_bytes "$GANTRY_BLOBS")
DD=$(data_bytes "$DIST_DATA"); GD=$(data_bytes "$GANTRY_DATA")
GANTRY_BLOBS_NOTE=""
if [[ ! -d "$GANTRY_BLOBS" ]]; then
  GANTRY_BLOBS_NOTE=" ($GANTRY_BLOBS does not exist: set BENCH_GANTRY_BLOBS; the data-dir column still counts everything)"
fi

# ---------------------------------------------------------------------------------------------------------------
# 4 + 6. Report
DATE="$(date -u +'%Y-%m-%d %H:%M UTC')"
DIST_VERSION="$(bench_dist_version)"

raw_rows() {
  local key
  for key in dist gantry; do
    printf '| %s | push | %s |\n' "${NAME[$key]}" "$(sed 's/ $//; s/ /, /g' <<<"${PUSH[$key]}")"
    printf '| %s | pull | %s |\n' "${NAME[$key]}" "$(sed 's/ $//; s/ /, /g' <<<"${PULL[$key]}")"
  done
}

report() {
  cat <<EOF
### Push/pull: ${IMAGE_MIB_REAL} MiB image, ${IMAGE_LAYERS} layers, skopeo, loopback — ${DATE}

| median of ${ROUNDS} | Distribution ${DIST_VERSION} | ${GANTRY_LABEL} | Gantry / Distribution |
|---|---:|---:|---:|
| push (s) | ${DPUSH} | ${GPUSH} | **$(div "$GPUSH" "$DPUSH")** |
| pull (s) | ${DPULL} | ${GPULL} | **$(div "$GPULL" "$DPULL")** |
| push (MiB/s) | $(mibs "$DPUSH") | $(mibs "$GPUSH") | |
| pull (MiB/s) | $(mibs "$DPULL") | $(mibs "$GPULL") | |
| push range (s) | $(minmax "${PUSH[dist]}") | $(minmax "${PUSH[gantry]}") | |
| pull range (s) | $(minmax "${PULL[dist]}") | $(minmax "${PULL[gantry]}") | |

Ratios ≤ 1.00 mean Gantry is as fast or faster. The machine is noisy: \`bench/push-pull.sh --self-test\` puts a
second Distribution in Gantry's place; how far its ratios stray from 1.00 is the band within which a result is a tie.
Every round pushes into a fresh repository (\`dev/bench/rN/app:rN\`) with skopeo's blob-info cache deleted, so each
push uploads every byte: Gantry, like Distribution, answers a HEAD for a blob that the pushed-to repository already
holds (and skopeo then skips the upload); a fresh repository avoids that. Pulls go to a fresh \`dir:\` and are checked
for the full byte count; the first registry alternates per round; \`sync\` runs (untimed) before each copy.

Per-round seconds (in round order; warm-up, not counted: ${WARMUP_NOTE}):

| registry | op | seconds |
|---|---|---|
$(raw_rows)

Promotion of \`dev/dedup/a:1\` (seconds per hop; Distribution has no promotion API: registry-to-registry skopeo copy
with cross-repository mounts, skopeo's blob-info cache primed by an untimed pull — its best case; ${GANTRY_LABEL}:
${PROMO_METHOD_GANTRY:-not measured: no promotion API in this server}):

| hop | Distribution | ${GANTRY_LABEL} |
|---|---:|---:|
$(promo_rows)

Dedup: the image (${IMAGE_BYTES} bytes) is now in ${REPOS_TOTAL} repositories of each registry (${ROUNDS} bench
rounds, $((WARMUP ? 1 : 0)) warm-up, ${DEDUP_REPOS[*]}, ${PROMOTED} promoted into qa/staging/prod):

| | blob store bytes | × image | whole data dir bytes | × image |
|---|---:|---:|---:|---:|
| Distribution (\`docker/registry/v2/blobs\`) | ${DB} | $(div "$DB" "$IMAGE_BYTES") | ${DD} | $(div "$DD" "$IMAGE_BYTES") |
| ${GANTRY_LABEL} (\`${GANTRY_BLOBS#"$GANTRY_DATA"/}\`) | ${GB} | $(div "$GB" "$IMAGE_BYTES") | ${GD} | $(div "$GD" "$IMAGE_BYTES") |

Both stores are content-addressed, so ≈ 1× is expected for each (Distribution de-duplicates within one storage too).${GANTRY_BLOBS_NOTE}

Machine: $(bench_machine); shared and noisy.
Versions: $(bench_versions), Gantry: ${GANTRY_VERSION}.

Command: \`${ORIG_ENV}${ORIG_CMD}\`
EOF
  bench_warnings
}

echo
echo "================ Markdown for docs/benchmarks.md ================"
report
echo "================================================================="
