#!/usr/bin/env bash
# Promotion benchmark: Gantry's promotion API against promotion by copy on CNCF Distribution (Debian's
# docker-registry), for a small and a large image, in one run.
#
#   bench/promotion.sh                            # 1 MiB (1 layer) and 1 GiB (4 layers) images, 9 rounds
#   BENCH_SIZES=1:1 BENCH_ROUNDS=3 bench/promotion.sh   # quick check with the 1 MiB image only
#
# What it does:
#   1. builds each test image once with umoci from random data and caches it under BENCH_WORK (the same cache as
#      bench/push-pull.sh: image-v2-<MiB>MiB-<layers>layers);
#   2. starts Distribution (own config, fresh storage) and Gantry (fresh GANTRY_DATA_DIR) on free loopback ports and
#      pushes each image to dev/promo/<size>/app:1 on both (untimed);
#   3. Gantry: a promotion copies the image from dev/R to qa/R (same repository name). So that every timed promotion
#      does the full work (new target repository, every blob and manifest linked, tag set, record written) rather
#      than finding its rows already there, each warm-up and each round promotes its own source repository
#      dev/promo/<size>/<wN|rN>/app, made beforehand (untimed) by a skopeo push that mounts the blobs from
#      dev/promo/<size>/app — so the source repositories cost no blob bytes either;
#   4. per round (the order of the sizes alternates), for each size:
#        Gantry:            POST /api/v1/promotions {id, repository: promo/<size>/rN/app, from: dev, to: qa,
#                           digest, targetTags: ["1"]}, timed by curl's %{time_total} (the client's round trip,
#                           TCP connect included), then checked untimed (201, the record's digest, the manifest and
#                           every layer served by qa/promo/<size>/rN/app);
#        Distribution cold: skopeo copy docker://D/dev/promo/<size>/app:1 docker://D/qa/promo/<size>/cold-rN/app:1
#                           with skopeo's blob-info cache deleted first: every blob goes through skopeo again;
#        Distribution mount: the same into qa/promo/<size>/mount-rN/app:1 with the blob-info cache primed (an untimed
#                           pull of the source, saved once and restored before each copy): skopeo mounts every blob;
#      each copy is timed with date +%s.%N; `sync` runs (untimed) before every timed operation;
#   5. du -sb of both blob stores and data dirs before the first and after the last promotion;
#   6. prints the results, the goal checks and a Markdown snippet for docs/benchmarks.md. Writes nothing into the
#      repository. Deletes skopeo's blob-info cache (/var/lib/containers/cache/blob-info-cache-v1.boltdb) as it goes.
#
# Environment (all optional):
#   BENCH_SIZES="1:1 1024:4"  images as MiB:layers; the goal checks compare the smallest and the largest
#   BENCH_ROUNDS=9  BENCH_WARMUP=3 (untimed Gantry promotions per size before the rounds; Distribution gets one
#   untimed copy of each kind per size when > 0)   BENCH_GOAL_MS=20   BENCH_WORK=/tmp/gantry-bench
#   GANTRY_HOME=<repo root of this script>   JAVA_HOME=<newest JDK 21+ under /usr/lib/jvm>
#   BENCH_DIST_PORT / BENCH_GANTRY_PORT      fixed ports instead of free ones
#   BENCH_GANTRY_CMD   command line that starts "Gantry" instead of the jar (see bench/push-pull.sh)
#   BENCH_GANTRY_BLOBS blob directory inside GANTRY_DATA_DIR (default: blobs)
#   BENCH_KEEP=1       keep the run's temporary data dirs and logs (for debugging)
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/lib.sh
source "$SCRIPT_DIR/lib.sh"

GANTRY_HOME="${GANTRY_HOME:-$(cd "$SCRIPT_DIR/.." && pwd)}"
SIZES_SPEC="${BENCH_SIZES:-1:1 1024:4}"
ROUNDS="${BENCH_ROUNDS:-9}"
WARMUP="${BENCH_WARMUP:-3}"
GOAL_MS="${BENCH_GOAL_MS:-20}"
WORK="${BENCH_WORK:-/tmp/gantry-bench}"
GANTRY_BLOBS_SUBDIR="${BENCH_GANTRY_BLOBS:-blobs}"
SKOPEO_CACHE=$BENCH_SKOPEO_CACHE
bench_capture_command "$0" "$@"

bench_whole BENCH_ROUNDS "$ROUNDS"
bench_whole BENCH_WARMUP "$WARMUP" zero
bench_whole BENCH_GOAL_MS "$GOAL_MS"
bench_require_tools skopeo umoci docker-registry curl jq openssl awk du sync

# Sizes: label (1m, 1g, 64m …) -> MiB and layers, smallest first
SIZES=()
declare -A MIB=() NLAYERS=()
for spec in $SIZES_SPEC; do
  [[ "$spec" =~ ^([0-9]+):([0-9]+)$ ]] || { echo "BENCH_SIZES: '$spec' is not MiB:layers" >&2; exit 2; }
  m=${BASH_REMATCH[1]}; l=${BASH_REMATCH[2]}
  ((m > 0 && l > 0 && m >= l)) || { echo "BENCH_SIZES: '$spec' needs MiB >= layers > 0" >&2; exit 2; }
  if ((m >= 1024 && m % 1024 == 0)); then s="$((m / 1024))g"; else s="${m}m"; fi
  [[ -z "${MIB[$s]:-}" ]] || { echo "BENCH_SIZES: '$spec' given twice" >&2; exit 2; }
  SIZES+=("$s"); MIB[$s]=$m; NLAYERS[$s]=$l
done
((${#SIZES[@]})) || { echo "BENCH_SIZES is empty" >&2; exit 2; }
mapfile -t SIZES < <(for s in "${SIZES[@]}"; do echo "${MIB[$s]} $s"; done | sort -n | awk '{print $2}')
SMALL=${SIZES[0]}; LARGE=${SIZES[-1]}

bench_run_dir "$WORK"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------------------------
# 1. Images
declare -A IMG_REF=() IMG_DIGEST=() IMG_BYTES=() IMG_LAYERS=() IMG_MIB=() IMG_LAYER_DIGESTS=()
for s in "${SIZES[@]}"; do
  bench_image "${MIB[$s]}" "${NLAYERS[$s]}"
  IMG_REF[$s]=$IMAGE_REF; IMG_DIGEST[$s]=$MANIFEST_DIGEST; IMG_BYTES[$s]=$IMAGE_BYTES
  IMG_LAYERS[$s]=$IMAGE_LAYERS; IMG_MIB[$s]=$IMAGE_MIB_REAL
  IMG_LAYER_DIGESTS[$s]="$(jq -r '[.config.digest] + [.layers[].digest] | join(" ")' "$MANIFEST_FILE")"
done
size_label() { # 1m -> "1 MiB", 1g -> "1 GiB"
  case "$1" in *g) echo "${1%g} GiB" ;; *) echo "${1%m} MiB" ;; esac
}

# ---------------------------------------------------------------------------------------------------------------
# 2. Servers, pushes
DIST_PORT="${BENCH_DIST_PORT:-$(free_port)}"
GANTRY_PORT="${BENCH_GANTRY_PORT:-$(free_port)}"
while [[ "$GANTRY_PORT" == "$DIST_PORT" ]]; do GANTRY_PORT="$(free_port)"; done
DIST_DATA="$RUN_DIR/data-distribution"
GANTRY_DATA="$RUN_DIR/data-gantry"
DIST_BLOBS="$DIST_DATA/docker/registry/v2/blobs"
GANTRY_BLOBS="$GANTRY_DATA/$GANTRY_BLOBS_SUBDIR"
D="127.0.0.1:$DIST_PORT"
G="127.0.0.1:$GANTRY_PORT"

log "starting Distribution on $D"
start_distribution distribution "$DIST_PORT" "$DIST_DATA"; DIST_PID=$LAST_PID
start_gantry "$GANTRY_PORT" "$GANTRY_DATA"; GANTRY_PID=$LAST_PID
JAR_NOTE=""
if [[ -z "${BENCH_GANTRY_CMD:-}" ]]; then # the jar may be older than the working tree
  JAR_NOTE=", jar built $(date -u -r "$GANTRY_HOME/registry/target/quarkus-app/quarkus-run.jar" +'%Y-%m-%d %H:%M UTC')"
fi
wait_v2 Distribution "http://$D/v2/" "$DIST_PID" 60
wait_v2 Gantry "http://$G/v2/" "$GANTRY_PID" "$GANTRY_TIMEOUT"
log "both registries answer GET /v2/ with 200"

WARNINGS=()
skopeo_copy() { # label src dest -> T (seconds), OUT (skopeo's output file)
  local label=$1 t0 t1
  OUT="$RUN_DIR/skopeo.out"
  t0=$(date +%s.%N)
  if ! skopeo copy --src-tls-verify=false --dest-tls-verify=false "$2" "$3" >"$OUT" 2>&1; then
    { echo "### $label: $2 -> $3 FAILED"; cat "$OUT"; } >>"$LOG"
    die "$label: skopeo copy $2 $3 failed: $(tail -n 3 "$OUT")"
  fi
  t1=$(date +%s.%N)
  { echo "### $label: $2 -> $3"; cat "$OUT"; } >>"$LOG"
  T=$(elapsed "$t0" "$t1")
}
blobs_total() { echo $(( ${IMG_LAYERS[$1]} + 1 )); } # layers + config
# What a copy into REPO did, from the registry's access log (skopeo's own output does not say when it is not on a
# terminal): MOUNTS = blobs mounted from another repository (POST …/uploads/?mount=&from= → 201), UPLOADS = blobs
# uploaded (PUT …/uploads/<id>?digest= → 201).
blob_moves() { # logfile repo
  MOUNTS=$(grep -cE "\"POST /v2/$2/blobs/uploads/\\?[^ \"]*mount=[^ \"]* HTTP/[0-9.]+\" 201" "$1" || true)
  UPLOADS=$(grep -cE "\"PUT /v2/$2/blobs/uploads/[^ \"]+ HTTP/[0-9.]+\" 201" "$1" || true)
}

rm -f "$SKOPEO_CACHE"
for s in "${SIZES[@]}"; do
  for reg in "$D" "$G"; do
    skopeo_copy "push $s" "${IMG_REF[$s]}" "docker://$reg/dev/promo/$s/app:1"
    log "pushed the $(size_label "$s") image to $reg/dev/promo/$s/app:1 in ${T}s"
  done
done

# Gantry's source repositories, one per warm-up and round: pushes whose blobs are mounted from dev/promo/<size>/app
# (skopeo's cache learnt their location from the pushes above).
NAMES_W=(); for ((w = 1; w <= WARMUP; w++)); do NAMES_W+=("w$w"); done
NAMES_R=(); for ((r = 1; r <= ROUNDS; r++)); do NAMES_R+=("r$r"); done
declare -A SRC_MOUNTED=() SRC_UPLOADED=()
for s in "${SIZES[@]}"; do
  SRC_MOUNTED[$s]=0; SRC_UPLOADED[$s]=0
  for n in "${NAMES_W[@]}" "${NAMES_R[@]}"; do
    skopeo_copy "source $s $n" "${IMG_REF[$s]}" "docker://$G/dev/promo/$s/$n/app:1"
    blob_moves "$RUN_DIR/gantry.log" "dev/promo/$s/$n/app"
    SRC_MOUNTED[$s]=$((SRC_MOUNTED[$s] + MOUNTS)); SRC_UPLOADED[$s]=$((SRC_UPLOADED[$s] + UPLOADS))
  done
  log "Gantry: $((WARMUP + ROUNDS)) source repositories dev/promo/$s/{w,r}N/app made;" \
    "blobs mounted: ${SRC_MOUNTED[$s]}, uploaded: ${SRC_UPLOADED[$s]}"
done

# Distribution: prime skopeo's blob-info cache with an untimed pull of each source, keep a copy of it
rm -f "$SKOPEO_CACHE"
for s in "${SIZES[@]}"; do
  rm -rf "$RUN_DIR/pull"
  skopeo_copy "prime $s" "docker://$D/dev/promo/$s/app:1" "dir:$RUN_DIR/pull"
  rm -rf "$RUN_DIR/pull"
done
PRIMED_CACHE="$RUN_DIR/blob-info-cache-primed.boltdb"
cp "$SKOPEO_CACHE" "$PRIMED_CACHE"

# ---------------------------------------------------------------------------------------------------------------
# 3. Promotions
bytes_of() { if [[ -d "$1" ]]; then du -sb "$1" | awk '{print $1}'; else echo 0; fi; }
files_of() { if [[ -d "$1" ]]; then find "$1" -type f | wc -l; else echo 0; fi; }
disk_snapshot() { # prefix
  printf -v "${1}_GB" '%s' "$(bytes_of "$GANTRY_BLOBS")"; printf -v "${1}_GF" '%s' "$(files_of "$GANTRY_BLOBS")"
  printf -v "${1}_GD" '%s' "$(bytes_of "$GANTRY_DATA")"
  printf -v "${1}_DB" '%s' "$(bytes_of "$DIST_BLOBS")"; printf -v "${1}_DF" '%s' "$(files_of "$DIST_BLOBS")"
  printf -v "${1}_DD" '%s' "$(bytes_of "$DIST_DATA")"
}
sync
disk_snapshot BEFORE

ms() { awk -v s="$1" 'BEGIN{printf "%.1f", s * 1000}'; }

declare -A RIDS=()
gantry_promote() { # size name -> T (ms)
  local s=$1 n=$2 repo="promo/$1/$2/app" body out code t rid got d
  body=$(jq -cn --arg id "bench-$s-$n" --arg repo "$repo" --arg digest "${IMG_DIGEST[$s]}" \
    '{id: $id, repository: $repo, from: "dev", to: "qa", digest: $digest, targetTags: ["1"]}')
  sync
  out=$(curl -s -o "$RUN_DIR/promote.json" -D "$RUN_DIR/promote.headers" -w '%{http_code} %{time_total}' \
    -X POST -H 'Content-Type: application/json' --data-binary "$body" "http://$G/api/v1/promotions") \
    || die "POST /api/v1/promotions failed (curl exit $?)"
  code=${out% *}; t=${out#* }
  { echo "### promote Gantry $repo dev -> qa: HTTP $code in ${t}s"; echo "$body"; cat "$RUN_DIR/promote.json"; echo; } >>"$LOG"
  [[ "$code" == 201 ]] || die "promotion of $repo answered HTTP $code: $(head -c 300 "$RUN_DIR/promote.json")"
  got=$(jq -r '[.digest, .from, .to, .repository, (.tags | join(","))] | join(" ")' "$RUN_DIR/promote.json")
  [[ "$got" == "${IMG_DIGEST[$s]} dev qa $repo 1" ]] || die "unexpected promotion record: $(cat "$RUN_DIR/promote.json")"
  rid=$(tr -d '\r' <"$RUN_DIR/promote.headers" | sed -n 's/^[Xx]-[Rr]equest-[Ii][Dd]: *//p' | head -1)
  RID=${rid:--}
  # untimed: the target serves the manifest by tag and every blob
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$G/v2/qa/$repo/manifests/1")
  [[ "$code" == 200 ]] || die "qa/$repo:1 answers $code after promotion"
  for d in ${IMG_LAYER_DIGESTS[$s]}; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -I "http://$G/v2/qa/$repo/blobs/$d")
    [[ "$code" == 200 ]] || die "qa/$repo blob $d answers $code after promotion"
  done
  T=$(ms "$t")
}

declare -A D_MOVES=()
dist_copy() { # size name cold|mount -> T (ms)
  local s=$1 n=$2 mode=$3 want
  if [[ "$mode" == cold ]]; then rm -f "$SKOPEO_CACHE"; else cp "$PRIMED_CACHE" "$SKOPEO_CACHE"; fi
  sync
  skopeo_copy "Distribution $mode $s $n" "docker://$D/dev/promo/$s/app:1" "docker://$D/qa/promo/$s/$mode-$n/app:1"
  T=$(ms "$T")
  blob_moves "$RUN_DIR/distribution.log" "qa/promo/$s/$mode-$n/app"
  # cold: every blob uploaded; with mounts: every layer mounted (skopeo uploads the small config again)
  if [[ "$mode" == cold ]]; then want="0 $(blobs_total "$s")"; else want="${IMG_LAYERS[$s]} "; fi
  if [[ "$MOUNTS $UPLOADS" != "$want"* ]]; then
    WARNINGS+=("Distribution $mode copy $s $n: $MOUNTS blob(s) mounted, $UPLOADS uploaded (expected ${want% } mounted/uploaded)")
  fi
  D_MOVES[$s-$mode]="$MOUNTS mounted, $UPLOADS uploaded"
}

declare -A G_MS=() DC_MS=() DM_MS=() WARM_NOTE=()
if ((WARMUP)); then
  log "warm-up (not counted): $WARMUP Gantry promotion(s) per size, one Distribution copy of each kind per size"
  for s in "${SIZES[@]}"; do
    WARM_NOTE[$s]="Gantry"
    for n in "${NAMES_W[@]}"; do gantry_promote "$s" "$n"; WARM_NOTE[$s]+=" $T,"; done
    WARM_NOTE[$s]="${WARM_NOTE[$s]%,} ms"
    dist_copy "$s" w1 cold; WARM_NOTE[$s]+=", Distribution cold $T ms"
    dist_copy "$s" w1 mount; WARM_NOTE[$s]+=", with mounts $T ms"
    log "warm-up $s: ${WARM_NOTE[$s]}"
  done
fi

log "$ROUNDS round(s): Gantry promotion, Distribution cold copy, Distribution copy with mounts; size order alternates"
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then order=("${SIZES[@]}"); else mapfile -t order < <(printf '%s\n' "${SIZES[@]}" | tac); fi
  for s in "${order[@]}"; do
    gantry_promote "$s" "r$r"; g=$T; RIDS[$s]+="$RID "
    dist_copy "$s" "r$r" cold; c=$T
    dist_copy "$s" "r$r" mount; m=$T
    G_MS[$s]+="$g "; DC_MS[$s]+="$c "; DM_MS[$s]+="$m "
    log "round $r $s: Gantry ${g} ms, Distribution cold ${c} ms, with mounts ${m} ms"
  done
done

sync
disk_snapshot AFTER

# Gantry's own view of each promotion: the access log's processing time (whole ms) for the request ids
declare -A S_MS=()
for s in "${SIZES[@]}"; do
  for rid in ${RIDS[$s]}; do
    v=$(grep -F "rid=$rid" "$RUN_DIR/gantry.log" | grep -F '"POST /api/v1/promotions' \
      | sed -n 's/.* \([0-9][0-9]*\) ms rid=.*/\1/p' | head -1 || true)
    [[ -n "$v" ]] && S_MS[$s]+="$v "
  done
done

# Untimed: the last promoted image of the largest size pulls in full from qa
rm -rf "$RUN_DIR/pull"; rm -f "$SKOPEO_CACHE"
skopeo_copy "pull check" "docker://$G/qa/promo/$LARGE/r$ROUNDS/app:1" "dir:$RUN_DIR/pull"
PULLED=$(find "$RUN_DIR/pull" -type f ! -name manifest.json ! -name version -printf '%s\n' | awk '{s += $1} END{print s + 0}')
rm -rf "$RUN_DIR/pull"
[[ "$PULLED" == "${IMG_BYTES[$LARGE]}" ]] \
  || die "pull of qa/promo/$LARGE/r$ROUNDS/app:1 from Gantry returned $PULLED bytes, expected ${IMG_BYTES[$LARGE]}"
log "qa/promo/$LARGE/r$ROUNDS/app:1 pulls in full from Gantry ($PULLED bytes)"

# ---------------------------------------------------------------------------------------------------------------
# 4. Report
f1() { awk -v v="$1" 'BEGIN{printf "%.1f", v}'; }
stat_cell() { # "values" -> median (min–max)
  [[ -n "${1// /}" ]] || { echo "n/a"; return; }
  local med; med=$(median "$1")
  tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g \
    | awk -v m="$med" 'NR==1{a=$1} {b=$1} END{printf "%.1f (%.1f–%.1f)", m, a, b}'
}
list() { sed 's/ $//; s/ /, /g' <<<"$1"; }
delta() { echo $(($2 - $1)); }

GL_MED=$(median "${G_MS[$LARGE]}"); GS_MED=$(median "${G_MS[$SMALL]}")
if awk -v m="$GL_MED" -v g="$GOAL_MS" 'BEGIN{exit !(m < g)}'; then GOAL1=PASS; else GOAL1=FAIL; fi
RATIO=$(div "$GS_MED" "$GL_MED")
if [[ "$SMALL" == "$LARGE" ]]; then
  GOAL2="n/a (one size only)"
elif awk -v a="$GS_MED" -v b="$GL_MED" 'BEGIN{exit !(b > 0 && a / b <= 2 && a / b >= 0.5)}'; then
  GOAL2=PASS
else
  GOAL2=FAIL
fi
if [[ "$BEFORE_GB" == "$AFTER_GB" && "$BEFORE_GF" == "$AFTER_GF" ]]; then GOAL3=PASS; else GOAL3=FAIL; fi
PROMOS_G=$(( ${#SIZES[@]} * (ROUNDS + WARMUP) ))
COPIES_D=$(( ${#SIZES[@]} * (ROUNDS + (WARMUP > 0 ? 1 : 0)) ))

header_cells() { local s; for s in "${SIZES[@]}"; do printf ' %s image (%s MiB, %s layer%s) |' "$(size_label "$s")" \
  "${IMG_MIB[$s]}" "${IMG_LAYERS[$s]}" "$([[ "${IMG_LAYERS[$s]}" -gt 1 ]] && echo s)"; done; }
rule_cells() { local s; for s in "${SIZES[@]}"; do printf -- '---:|'; done; }
row() { # label array-name
  local s; local -n arr=$2
  printf '| %s |' "$1"
  for s in "${SIZES[@]}"; do printf ' %s |' "$(stat_cell "${arr[$s]:-}")"; done
  echo
}
ratio_row() { # label array-name
  local s; local -n arr=$2
  printf '| %s |' "$1"
  for s in "${SIZES[@]}"; do printf ' %s× |' "$(div "$(median "${arr[$s]}")" "$(median "${G_MS[$s]}")")"; done
  echo
}
raw_rows() {
  local s
  for s in "${SIZES[@]}"; do
    printf '| %s | Gantry API (client) | %s |\n' "$(size_label "$s")" "$(list "${G_MS[$s]}")"
    printf '| %s | Gantry API (server log) | %s |\n' "$(size_label "$s")" "$(list "${S_MS[$s]:-n/a}")"
    printf '| %s | Distribution cold | %s |\n' "$(size_label "$s")" "$(list "${DC_MS[$s]}")"
    printf '| %s | Distribution mounts | %s |\n' "$(size_label "$s")" "$(list "${DM_MS[$s]}")"
  done
}
warm_lines() {
  local s
  if ((WARMUP == 0)); then echo "none"; return; fi
  for s in "${SIZES[@]}"; do printf '%s: %s; ' "$(size_label "$s")" "${WARM_NOTE[$s]}"; done
}

DATE="$(date -u +'%Y-%m-%d %H:%M UTC')"
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
report() {
  cat <<EOF
### Promotion: Gantry's API against skopeo copy on Distribution, loopback — ${DATE}

Milliseconds, median (min–max) of ${ROUNDS} rounds:

|$(header_cells | sed 's/^/ promotion dev → qa |/')
|---|$(rule_cells)
$(row "**Gantry**: \`POST /api/v1/promotions\`, client round trip" G_MS)
$(row "Gantry: processing time in its access log (whole ms)" S_MS)
$(row "Distribution $(bench_dist_version): \`skopeo copy\`, cold blob-info cache" DC_MS)
$(row "Distribution: \`skopeo copy\` with cross-repository mounts" DM_MS)
$(ratio_row "cold copy / Gantry" DC_MS)
$(ratio_row "copy with mounts / Gantry" DM_MS)

Goals:
- Gantry's $(size_label "$LARGE") promotion under ${GOAL_MS} ms median round trip: **${GOAL1}** ($(f1 "$GL_MED") ms).
- The $(size_label "$SMALL") promotion within 2× of the $(size_label "$LARGE") one: **${GOAL2}** ($(f1 "$GS_MED") ms / $(f1 "$GL_MED") ms = ${RATIO}).
- Blob store unchanged by promotion: **${GOAL3}** (Gantry \`${GANTRY_BLOBS_SUBDIR}/\`: ${BEFORE_GB} → ${AFTER_GB} bytes, ${BEFORE_GF} → ${AFTER_GF} files, over ${PROMOS_G} promotions).

Disk (\`du -sb\`) before the first and after the last promotion:

| | blob store bytes | blob files | whole data dir bytes |
|---|---:|---:|---:|
| Gantry (\`${GANTRY_BLOBS_SUBDIR}/\`; ${PROMOS_G} promotions) | ${BEFORE_GB} → ${AFTER_GB} (+$(delta "$BEFORE_GB" "$AFTER_GB")) | ${BEFORE_GF} → ${AFTER_GF} | ${BEFORE_GD} → ${AFTER_GD} (+$(delta "$BEFORE_GD" "$AFTER_GD")) |
| Distribution (\`docker/registry/v2/blobs\`; $((2 * COPIES_D)) copies) | ${BEFORE_DB} → ${AFTER_DB} (+$(delta "$BEFORE_DB" "$AFTER_DB")) | ${BEFORE_DF} → ${AFTER_DF} | ${BEFORE_DD} → ${AFTER_DD} (+$(delta "$BEFORE_DD" "$AFTER_DD")) |

Gantry's data dir grows only by its metadata database (rows, WAL). Distribution's blob store is content-addressed
too, so its bytes on disk do not grow either; the cold copy's cost is the transfer (skopeo reads every blob from the
source repository and uploads it again), not disk.

How: each image is pushed once to \`dev/promo/<size>/app:1\` on both registries. Gantry promotes to the same
repository name in \`qa\`; so that every timed promotion does the full work (a new target repository, every blob and
manifest linked, the tag set, the record written) instead of finding its rows already there, each round promotes its
own source repository \`dev/promo/<size>/rN/app\`, pushed beforehand (untimed) with its blobs mounted from
\`dev/promo/<size>/app\` (${PROMOS_G} sources; $(for s in "${SIZES[@]}"; do printf '%s: %s blobs mounted, %s uploaded; ' \
  "$s" "${SRC_MOUNTED[$s]}" "${SRC_UPLOADED[$s]}"; done | sed 's/; $//')), by digest with
\`targetTags: ["1"]\` and a unique \`id\`, timed by curl's \`%{time_total}\` (a new TCP connection each time), then
checked untimed (201, the record, the manifest and every blob served from \`qa\`; at the end the last
$(size_label "$LARGE") promotion is pulled from \`qa\` in full). Distribution has no promotion API: the usual way is
\`skopeo copy docker://D/dev/promo/<size>/app:1 docker://D/qa/promo/<size>/{cold,mount}-rN/app:1\` (fresh target
repositories), once with skopeo's blob-info cache deleted (a full re-upload) and once with it primed by an untimed
pull of the source (skopeo mounts every layer and uploads only the small config again: Distribution's best case),
timed with \`date +%s.%N\`. What the copies did, per Distribution's access log (last round): $(for s in "${SIZES[@]}"; do
  printf '%s cold: %s; with mounts: %s; ' "$s" "${D_MOVES[$s-cold]}" "${D_MOVES[$s-mount]}"; done | sed 's/; $//').
The order of the sizes alternates per round; \`sync\` runs (untimed) before every timed operation.

Per-round milliseconds (round order; warm-up, not counted: $(warm_lines | sed 's/; $//')):

| image | method | ms |
|---|---|---|
$(raw_rows)

Machine: $(bench_machine); shared and noisy: load average ${LOAD_START} at the start, ${LOAD_END} at the end.
Versions: $(bench_versions), Gantry: ${GANTRY_VERSION}${JAR_NOTE}.

Command: \`${ORIG_ENV}${ORIG_CMD}\`
EOF
  bench_warnings
}

echo
echo "Results (ms, median of $ROUNDS; min–max):"
{
  printf 'method'; for s in "${SIZES[@]}"; do printf '\t%s' "$(size_label "$s")"; done; echo
  for pair in "Gantry API (curl round trip):G_MS" "Gantry API (server access log):S_MS" \
    "Distribution skopeo copy, cold:DC_MS" "Distribution skopeo copy, mounts:DM_MS"; do
    declare -n ref="${pair#*:}"
    printf '%s' "${pair%%:*}"; for s in "${SIZES[@]}"; do printf '\t%s' "$(stat_cell "${ref[$s]:-}")"; done; echo
    unset -n ref
  done
} | column -t -s $'\t'
echo
echo "Goal checks:"
printf '  %-52s %s\n' "$(size_label "$LARGE") Gantry promotion, median < ${GOAL_MS} ms:" "${GOAL1} ($(f1 "$GL_MED") ms)" \
  "$(size_label "$SMALL") promotion within 2x of the $(size_label "$LARGE") one:" "${GOAL2} (ratio ${RATIO})" \
  "Gantry blob store unchanged by promotion:" "${GOAL3} (${BEFORE_GB} -> ${AFTER_GB} bytes, ${BEFORE_GF} -> ${AFTER_GF} files)"
echo
echo "================ Markdown for docs/benchmarks.md ================"
report
echo "================================================================="
