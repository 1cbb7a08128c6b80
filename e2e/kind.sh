#!/usr/bin/env bash
# The Kind end-to-end suite, for a machine with a Docker engine (the build machines have none).
#
#   e2e/kind.sh up     create the cluster, build and load Gantry's images, install deploy/overlays/kind and the
#                      example pipeline, wait until everything is ready
#   e2e/kind.sh test   run the *E2E tests against it (./mvnw -pl e2e -Pe2e verify)
#   e2e/kind.sh down   delete the cluster
#
# Needs: docker, kind, kubectl, skopeo, openssl, a JDK 21+. Settings: CLUSTER (default gantry), REGISTRY
# (default localhost:30500, the Kind overlay's NodePort), CERT_DIR (default e2e/target/registry-certificate).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cluster=${CLUSTER:-gantry}
registry=${REGISTRY:-localhost:30500}
cert_dir=${CERT_DIR:-$root/e2e/target/registry-certificate}
node=$cluster-control-plane

need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "kind.sh: $tool is required" >&2; exit 2; }
  done
}

up() {
  need docker kind kubectl openssl
  if ! kind get clusters | grep -qx "$cluster"; then
    kind create cluster --name "$cluster" --config "$root/deploy/overlays/kind/kind-cluster.yaml"
  fi
  # The three images as tarballs, built by Jib without a Docker daemon (docs/images.md), loaded into the node.
  (cd "$root" && ./mvnw -B -q -Pimages package -DskipTests)
  for app in registry operator webhook; do
    kind load image-archive "$root/$app/target/jib-image.tar" --name "$cluster"
  done
  # The registry's certificate, for the names the node and the host use; the node's containerd trusts its CA.
  mkdir -p "$cert_dir"
  kubectl create namespace gantry-system --dry-run=client -o yaml | kubectl apply -f -
  "$root/deploy/registry-certificate.sh" --dir "$cert_dir" localhost 127.0.0.1
  docker exec "$node" mkdir -p "/etc/containerd/certs.d/$registry"
  docker cp "$cert_dir/ca.crt" "$node:/etc/containerd/certs.d/$registry/ca.crt"
  kubectl apply -k "$root/deploy/overlays/kind"
  kubectl -n gantry-system wait --for=condition=complete job/gantry-bootstrap --timeout=180s
  kubectl -n gantry-system rollout status statefulset/gantry-registry --timeout=300s
  kubectl -n gantry-system rollout status deployment/gantry-operator --timeout=300s
  kubectl -n gantry-system rollout status deployment/gantry-webhook --timeout=300s
  kubectl apply -k "$root/examples/pipeline"
  for r in dev qa staging prod; do
    kubectl wait --for=condition=Ready "registries.gantry.dev/$r" --timeout=120s
  done
  echo "kind.sh: Gantry is up on cluster $cluster; registry $registry (CA $cert_dir/ca.crt)"
}

test_suite() {
  need kubectl skopeo
  local password
  password=$(kubectl -n gantry-system get secret gantry-admin -o jsonpath='{.data.password}' | base64 -d)
  (cd "$root" && GANTRY_E2E_REGISTRY="$registry" GANTRY_E2E_CA_DIR="$cert_dir" GANTRY_E2E_ADMIN_PASSWORD="$password" \
    ./mvnw -B -pl e2e -am -Pe2e verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false)
}

down() {
  need kind
  kind delete cluster --name "$cluster"
}

case "${1:-}" in
  up) up ;;
  test) test_suite ;;
  down) down ;;
  *) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
