#!/usr/bin/env bash
# Test and demo certificates for CourtSync's TLS (传输加密), made with the openssl command.
#
#   bash Nodes/tls-certificates.sh CA_DIR DATA_DIR [HOST ...]
#
# Makes a certificate authority in CA_DIR (ca.crt, ca.key) unless one is there already, then
# issues DATA_DIR/tls/node.crt and DATA_DIR/tls/node.key (mode 0600) for HOST ... (IP addresses
# or DNS names; default 127.0.0.1 and localhost) and copies the CA's certificate to
# DATA_DIR/tls/ca.crt. Prints the `tls` section for DATA_DIR/node.json.
#
# A court network in production uses its own PKI: hand each node a certificate for the name or
# address the others reach it at, and the CA bundle that signed them (docs/security.md).
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: bash Nodes/tls-certificates.sh CA_DIR DATA_DIR [HOST ...]" >&2
    exit 2
fi
ca="$1"
data="$2"
shift 2
hosts=("$@")
[ ${#hosts[@]} -gt 0 ] || hosts=(127.0.0.1 localhost)
umask 077
mkdir -p "$ca" "$data/tls"
# Runs openssl quietly, showing what it said only when it fails.
quiet() {
    local said
    if ! said=$("$@" 2>&1); then
        echo "$said" >&2
        return 1
    fi
}

if [ ! -f "$ca/ca.crt" ]; then
    quiet openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -days 3650 \
        -subj "/O=CourtSync demo/CN=CourtSync demo CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$ca/ca.key" -out "$ca/ca.crt"
fi

names=()
for host in "${hosts[@]}"; do
    if [[ "$host" =~ ^[0-9.]+$ || "$host" == *:* ]]; then names+=("IP:$host"); else names+=("DNS:$host"); fi
done
san=$(IFS=,; echo "${names[*]}")
quiet openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "/O=CourtSync demo/CN=${hosts[0]}" \
    -keyout "$data/tls/node.key" -out "$data/tls/node.csr"
quiet openssl x509 -req -in "$data/tls/node.csr" -CA "$ca/ca.crt" -CAkey "$ca/ca.key" -CAcreateserial -days 825 \
    -extfile <(printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' "$san") \
    -out "$data/tls/node.crt"
rm -f "$data/tls/node.csr"
cp "$ca/ca.crt" "$data/tls/ca.crt"
chmod 600 "$data/tls/node.key"
chmod 644 "$data/tls/node.crt" "$data/tls/ca.crt"

cat <<EOF
"tls": {"certificate": "tls/node.crt", "privateKey": "tls/node.key", "trustRoots": "tls/ca.crt"}
EOF
