#!/usr/bin/env bash
# Builds Gantry's three container images with Jib, without a Docker engine, on a JRE base made here (Docker Hub is out
# of reach on the build machines), and proves them with real tools: skopeo reads each tarball, umoci unpacks it, the
# image configuration and file system are checked, and each application is started from its unpacked image (chroot,
# as the image's user, with the image's entrypoint, environment and working directory): the registry takes a push
# and a pull, the operator reconciles a Registry resource into it (against Fabric8's mock API server), the webhook
# answers an AdmissionReview over HTTPS. See docs/images.md.
#
#   images/check.sh                          # base: Debian bookworm (debootstrap) + jlink'ed JRE; 5–6 min here
#   IMAGES_BASE=minimal images/check.sh      # base: jlink'ed JRE + the host's glibc; no Debian mirror needed
#   IMAGES_BASE_TAR=/abs/base.tar images/check.sh   # a base made before with images/base-image.sh
#   MAVEN_ARGS=-o images/check.sh            # Maven offline (the wrapper passes MAVEN_ARGS on)
#
# Needs root (debootstrap, chroot, mount namespaces), skopeo, umoci, python3, curl, openssl. Work files and logs in
# target/images-check/ (kept on failure, or always with IMAGES_KEEP=1). Ends with "images: N passed, N failed" and
# exits non-zero when a check failed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/target/images-check
base_kind=${IMAGES_BASE:-debian}

log() { printf '%s check: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (chroot and mount namespaces)"
for tool in skopeo umoci python3 curl openssl unshare; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done

# A JDK 21+, as .ci/run picks it.
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
if [ -z "${JAVA_HOME:-}" ] || [ "$(java_major "$JAVA_HOME" 2>/dev/null || echo 0)" -lt 21 ]; then
  JAVA_HOME=""
  # shellcheck disable=SC2012  # JDK directory names are plain
  for candidate in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/bin/jlink" ] && [ "$(java_major "${candidate%/}")" -ge 21 ]; then JAVA_HOME="${candidate%/}"; break; fi
  done
  [ -n "$JAVA_HOME" ] || die "no JDK 21 or newer under /usr/lib/jvm"
fi
export JAVA_HOME

rm -rf "$work"
mkdir -p "$work"
passed=0 failed=0 pids=()
timings=()
phase_start=$SECONDS
phase() { timings+=("$1: $((SECONDS - phase_start)) s"); log "$1 took $((SECONDS - phase_start)) s"; phase_start=$SECONDS; }
ok() { passed=$((passed + 1)); log "ok   $*"; }
fail() { failed=$((failed + 1)); log "FAIL $*"; }
check() { local name=$1; shift; if "$@" >>"$work/checks.log" 2>&1; then ok "$name"; else fail "$name (see $work/checks.log)"; fi; }
finish() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for t in "${timings[@]}"; do log "timing: $t"; done
  if [ "$failed" -eq 0 ] && [ "$status" -eq 0 ] && [ -z "${IMAGES_KEEP:-}" ]; then
    rm -rf "$work/bundles" "$work/layouts"
  else
    log "work files kept in $work"
  fi
  echo "images: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && exit "$status" || exit 1
}
trap finish EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# 1. The base image.
if [ -n "${IMAGES_BASE_TAR:-}" ]; then
  base=$IMAGES_BASE_TAR
  log "base: $base (given)"
else
  base=$work/base.tar
  case "$base_kind" in
    debian) images/base-image.sh "$base" ;;
    minimal) images/base-image.sh --minimal "$base" ;;
    *) die "IMAGES_BASE must be debian or minimal" ;;
  esac
  phase "base image ($base_kind)"
fi

# 2. The images, exactly as a user builds them, on that base; and the operator's test class path for the mock API.
log "./mvnw -Pimages package (registry, operator, webhook) on tar://$base"
./mvnw -B -q -Pimages package -DskipTests -pl registry,operator,webhook -am "-Dgantry.image.base=tar://$base" \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt \
  > "$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; die "the image build failed (see $work/build.log)"; }
phase "image build (3 applications, Quarkus build included)"

# 3. What is in each tarball, read by skopeo and umoci; then unpacked into runtime bundles.
cat > "$work/assert-image.py" <<'EOF'
# assert-image.py APP TARBALL CONFIG.json BUNDLE: the image's configuration and file system, as Gantry's pom sets them.
import json, os, stat, sys, tarfile
app, tarball, config_file, bundle = sys.argv[1:5]
expect = {
    "registry": {"ports": {"5000/tcp", "5443/tcp"}, "env": {"QUARKUS_HTTP_HOST": "0.0.0.0", "GANTRY_DATA_DIR": "/var/lib/gantry"}},
    "operator": {"ports": {"8080/tcp"}, "env": {}},
    "webhook": {"ports": {"8443/tcp"}, "env": {}},
}[app]
problems = []
def need(cond, what):
    if not cond: problems.append(what)
with tarfile.open(tarball) as t:
    manifest = json.load(t.extractfile("manifest.json"))
need(manifest[0]["RepoTags"] == [f"gantry-{app}:dev"], f"RepoTags {manifest[0]['RepoTags']}")
image = json.load(open(config_file))
c = image["config"]
need(c.get("Entrypoint") == ["java", "-XX:MaxRAMPercentage=75.0", "-XX:+ExitOnOutOfMemoryError",
    "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-jar", "/deployments/quarkus-run.jar"], f"Entrypoint {c.get('Entrypoint')}")
need(c.get("User") == "185:0", f"User {c.get('User')}")
need(c.get("WorkingDir") == "/deployments", f"WorkingDir {c.get('WorkingDir')}")
need(set(c.get("ExposedPorts", {})) == expect["ports"], f"ExposedPorts {c.get('ExposedPorts')}")
env = dict(e.split("=", 1) for e in c.get("Env", []))
need(env.get("JAVA_HOME") == "/opt/java/openjdk", "base image's JAVA_HOME kept")
for k, v in expect["env"].items():
    need(env.get(k) == v, f"Env {k}={env.get(k)}")
labels = c.get("Labels", {})
need(labels.get("org.opencontainers.image.title") == f"gantry-{app}", f"title label {labels}")
need(labels.get("org.opencontainers.image.version", "").strip() != "", "version label")
need(labels.get("org.opencontainers.image.base.name", "").startswith("tar://"), "base.name label")
comments = [h.get("comment") for h in image["history"] if h.get("author") == "Jib"]
layers = [x for x in comments if x != "extra files"]
need(layers == ["quarkus boot libraries", "libraries", "gantry libraries", "quarkus-run.jar",
                "quarkus application model", "application"], f"Jib layers {comments}")
rootfs = os.path.join(bundle, "rootfs")
quarkus_app = os.path.join(app, "target", "quarkus-app")
for rel in ["quarkus-run.jar", "quarkus/quarkus-application.dat"]:
    got = os.path.join(rootfs, "deployments", rel)
    need(os.path.isfile(got) and open(got, "rb").read() == open(os.path.join(quarkus_app, rel), "rb").read(), f"/deployments/{rel} as built")
for rel in ["lib/boot", "lib/main", "app", "quarkus"]:
    built = sorted(os.listdir(os.path.join(quarkus_app, rel)))
    got = sorted(os.listdir(os.path.join(rootfs, "deployments", rel))) if os.path.isdir(os.path.join(rootfs, "deployments", rel)) else []
    need(built and got == built, f"/deployments/{rel}: {len(got)} entries, built {len(built)}")
need(not os.path.exists(os.path.join(rootfs, "app")), "Jib's own /app layout left out")
need(not os.path.exists(os.path.join(rootfs, "deployments", "quarkus-app-dependencies.txt")), "no build listing in the image")
if app == "registry":
    data = os.path.join(rootfs, "var/lib/gantry")
    st = os.stat(data) if os.path.isdir(data) else None
    need(st and stat.S_IMODE(st.st_mode) == 0o775 and st.st_gid == 0, "/var/lib/gantry: a directory, 775, group 0")
spec = json.load(open(os.path.join(bundle, "config.json")))["process"]
need(spec["user"]["uid"] == 185 and spec["user"]["gid"] == 0, f"runtime user {spec['user']}")
need(spec["args"] == c["Entrypoint"], "umoci's runtime spec carries the entrypoint")
if problems:
    print("\n".join(f"{app}: {p}" for p in problems)); sys.exit(1)
print(f"{app}: image as expected")
EOF
mkdir -p "$work/layouts" "$work/bundles"
for app in registry operator webhook; do
  tarball=$app/target/jib-image.tar
  check "$app: skopeo reads $tarball" skopeo inspect "docker-archive:$tarball"
  skopeo inspect --config "docker-archive:$tarball" > "$work/$app-config.json"
  skopeo copy -q "docker-archive:$tarball" "oci:$work/layouts/$app:check"
  umoci unpack --image "$work/layouts/$app:check" "$work/bundles/$app" > /dev/null
  check "$app: configuration, layers and /deployments" \
    python3 "$work/assert-image.py" "$app" "$tarball" "$work/$app-config.json" "$work/bundles/$app"
  log "$app: $(du -h "$tarball" | cut -f1) tarball, $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["rootfs"]["diff_ids"]))' "$work/$app-config.json") layers"
done
phase "inspect and unpack"

# 4. Run each application from its unpacked image: chroot into the root file system, the image's uid:gid, working
#    directory, environment (plus the settings below) and entrypoint. A private mount namespace carries what a
#    container runtime would provide: /proc, and /dev (bound from the host's).
cat > "$work/run-bundle.py" <<'EOF'
# run-bundle.py BUNDLE [NAME=VALUE]...: exec the image's process (umoci's runtime spec) in its root file system.
import json, os, sys
bundle = sys.argv[1]
p = json.load(open(os.path.join(bundle, "config.json")))["process"]
env = dict(e.split("=", 1) for e in p["env"])
env.update(a.split("=", 1) for a in sys.argv[2:])
os.chroot(os.path.join(bundle, "rootfs"))
os.chdir(p.get("cwd", "/"))
os.setgroups([]); os.setgid(p["user"]["gid"]); os.setuid(p["user"]["uid"])
cmd = p["args"][0]
for d in env.get("PATH", "").split(":"):
    if "/" not in cmd and os.access(os.path.join(d, cmd), os.X_OK):
        cmd = os.path.join(d, cmd); break
os.execve(cmd, p["args"], env)
EOF
run_image() { # APP LOG NAME=VALUE...: start in the background, remember the pid (unshare execs, so it is java's)
  local app=$1 logfile=$2; shift 2
  mkdir -p "$work/bundles/$app/rootfs/proc" "$work/bundles/$app/rootfs/dev"
  # shellcheck disable=SC2016  # $0 and $@ belong to the inner sh
  unshare --mount --propagation private sh -c \
    'mount -t proc proc "$0/rootfs/proc" && mount --rbind /dev "$0/rootfs/dev" && exec python3 "$@"' \
    "$work/bundles/$app" "$work/run-bundle.py" "$work/bundles/$app" "$@" > "$logfile" 2>&1 &
  pids+=("$!")
}
wait_ready() { # NAME URL PID SECONDS [curl args]
  local name=$1 url=$2 pid=$3 timeout=$4; shift 4
  for _ in $(seq 1 "$timeout"); do
    curl -sf "$@" "$url" > /dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { log "$name exited"; return 1; }
    sleep 1
  done
  log "$name not ready after $timeout s"; return 1
}

api_port=$(free_port)
"$JAVA_HOME/bin/java" -cp "$(cat operator/target/test-classpath.txt)" images/MockKubernetes.java "$api_port" > "$work/mock-api.log" 2>&1 &
pids+=("$!"); api_pid=$!
api=http://127.0.0.1:$api_port

reg_port=$(free_port)
run_image registry "$work/registry.log" QUARKUS_HTTP_HOST=127.0.0.1 "QUARKUS_HTTP_PORT=$reg_port"
reg_pid=${pids[-1]}
reg=127.0.0.1:$reg_port
check "registry: ready from its image" wait_ready registry "http://$reg/q/health/ready" "$reg_pid" 120
check "registry: runs as 185:0" test "$(stat -c %u:%g "/proc/$reg_pid")" = 185:0
check "registry: data in /var/lib/gantry as 185" test "$(stat -c %u "$work/bundles/registry/rootfs/var/lib/gantry/gantry.db")" = 185
check "registry: push (skopeo, the operator's image)" skopeo copy -q --dest-tls-verify=false \
  docker-archive:operator/target/jib-image.tar "docker://$reg/dev/gantry/operator:check"
skopeo_config() { skopeo inspect --config "$@" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))'; }
check "registry: pull gives the same image" test "$(skopeo_config --tls-verify=false "docker://$reg/dev/gantry/operator:check")" \
  = "$(skopeo_config docker-archive:operator/target/jib-image.tar)"

check "mock Kubernetes API: up" wait_ready "mock API" "$api/api/v1/namespaces/gantry-system" "$api_pid" 120

op_port=$(free_port)
run_image operator "$work/operator.log" QUARKUS_HTTP_HOST=127.0.0.1 "QUARKUS_HTTP_PORT=$op_port" \
  "KUBERNETES_MASTER=$api" POD_NAMESPACE=gantry-system "GANTRY_OPERATOR_REGISTRY_URL=http://$reg" \
  GANTRY_OPERATOR_LEADER_ELECTION_ENABLED=false GANTRY_OPERATOR_PRUNE_REGISTRIES=false
op_pid=${pids[-1]}
check "operator: ready from its image" wait_ready operator "http://127.0.0.1:$op_port/q/health/ready" "$op_pid" 120
curl -sf -XPOST "$api/apis/gantry.dev/v1alpha1/registries" -H 'Content-Type: application/json' \
  -d '{"apiVersion":"gantry.dev/v1alpha1","kind":"Registry","metadata":{"name":"imagecheck"},"spec":{"type":"Local"}}' > /dev/null
registry_synced() {
  for _ in $(seq 1 60); do
    curl -sf "$api/apis/gantry.dev/v1alpha1/registries/imagecheck" | python3 -c '
import json, sys
conditions = json.load(sys.stdin).get("status", {}).get("conditions", [])
sys.exit(0 if any(c["type"] == "Ready" and c["status"] == "True" for c in conditions) else 1)' && return 0
    sleep 1
  done
  return 1
}
check "operator: reconciles a Registry resource into the registry (Ready)" registry_synced
check "registry: takes a push into the operator's new registry" skopeo copy -q --dest-tls-verify=false \
  docker-archive:webhook/target/jib-image.tar "docker://$reg/imagecheck/gantry/webhook:check"

tls=$work/bundles/webhook/rootfs/tmp/tls
mkdir -p "$tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$tls/tls.key" -out "$tls/tls.crt" 2>/dev/null
chown -R 185:0 "$tls"
wh_port=$(free_port)
# The certificate by its property names (environment variable names may hold dots, in Kubernetes too): with the
# upper-case QUARKUS_TLS_WEBHOOK_KEY_STORE_PEM_0_CERT / _KEY that README.md names, Quarkus 3.33 does not apply the
# key store to the named TLS configuration and start-up fails ("Cannot set quarkus.http.insecure-requests without
# enabling SSL"); the registry's QUARKUS_TLS_GANTRY_* likewise. Not a matter of the image: the plain jar does the same.
run_image webhook "$work/webhook.log" QUARKUS_HTTP_HOST=127.0.0.1 "QUARKUS_HTTP_SSL_PORT=$wh_port" "QUARKUS_HTTP_PORT=$(free_port)" \
  quarkus.tls.webhook.key-store.pem.0.cert=/tmp/tls/tls.crt quarkus.tls.webhook.key-store.pem.0.key=/tmp/tls/tls.key \
  "KUBERNETES_MASTER=$api" "GANTRY_WEBHOOK_REGISTRY_HOSTS=$reg" "GANTRY_WEBHOOK_REGISTRY_URL=http://$reg"
wh_pid=${pids[-1]}
wh=https://127.0.0.1:$wh_port
check "webhook: ready from its image, over HTTPS" wait_ready webhook "$wh/q/health/ready" "$wh_pid" 120 --cacert "$tls/tls.crt"
review() {
  curl -sf --cacert "$tls/tls.crt" -XPOST "$wh/validate" -H 'Content-Type: application/json' -d '{
    "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
    "request": {"uid": "images-check", "operation": "CREATE", "namespace": "gantry-system",
      "kind": {"group": "", "version": "v1", "kind": "Pod"}, "resource": {"group": "", "version": "v1", "resource": "pods"},
      "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "gantry-system"},
        "spec": {"containers": [{"name": "c", "image": "'"$reg"'/imagecheck/gantry/webhook:check"}]}}}}' \
  | python3 -c 'import json, sys; r = json.load(sys.stdin)["response"]; print(r); sys.exit(0 if r["uid"] == "images-check" and r["allowed"] else 1)'
}
check "webhook: answers an AdmissionReview" review
phase "run the three images"
