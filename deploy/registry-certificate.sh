#!/usr/bin/env bash
# Makes the registry's serving certificate without cert-manager: a CA (kept in DIR and reused, so a renewal does not
# change what clients trust) and a certificate it signs for the in-cluster Service names plus any NAME given (DNS
# names, or IP addresses), then applies them as the Secret gantry-registry-tls (tls.crt, tls.key, ca.crt).
#
#   deploy/registry-certificate.sh [--dir DIR] [--namespace NS] [--days N] [--print] [NAME...]
#
#   --dir DIR        where the CA and the certificate are kept (default: ./gantry-registry-certificate)
#   --namespace NS   namespace of the Secret (default: gantry-system; created if missing)
#   --days N         validity of the serving certificate (default: 365); re-run before it ends
#   --print          print the Secret as YAML instead of applying it (GitOps, sealed secrets)
#
# Example for the Kind overlay: deploy/registry-certificate.sh localhost 127.0.0.1
# Keep DIR/ca.key private: whoever holds it can impersonate the registry to every node that trusts ca.crt.
set -euo pipefail

dir=./gantry-registry-certificate
namespace=gantry-system
days=365
print=false
names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --namespace) namespace=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    --print) print=true; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) names+=("$1"); shift ;;
  esac
done

service=gantry-registry
sans="DNS:$service,DNS:$service.$namespace,DNS:$service.$namespace.svc,DNS:$service.$namespace.svc.cluster.local"
for name in "${names[@]+"${names[@]}"}"; do
  if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then
    sans="$sans,IP:$name"
  else
    sans="$sans,DNS:$name"
  fi
done

mkdir -p "$dir"
chmod 700 "$dir"
umask 077
if [ ! -s "$dir/ca.key" ] || [ ! -s "$dir/ca.crt" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/ca.key" -out "$dir/ca.crt" \
    -days 3650 -subj "/CN=gantry-registry CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  echo "made a new CA in $dir (ca.crt is what clients and nodes trust)" >&2
fi
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/tls.key" -out "$dir/tls.csr" \
  -subj "/CN=$service.$namespace.svc" 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
  "$sans" > "$dir/tls.ext"
openssl x509 -req -in "$dir/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days "$days" \
  -extfile "$dir/tls.ext" -out "$dir/tls.crt" 2>/dev/null
rm -f "$dir/tls.csr"
echo "made $dir/tls.crt for ${sans//DNS:/} (valid $days days)" >&2

secret() {
  kubectl create secret generic gantry-registry-tls --namespace "$namespace" --type kubernetes.io/tls \
    --from-file=tls.crt="$dir/tls.crt" --from-file=tls.key="$dir/tls.key" --from-file=ca.crt="$dir/ca.crt" \
    --dry-run=client -o yaml
}
if $print; then
  secret
else
  kubectl create namespace "$namespace" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  secret | kubectl apply -f -
fi
