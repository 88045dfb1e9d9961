#!/usr/bin/env bash
# Test and demo certificates for CourtSync's TLS (传输加密), made with the openssl command.
#
#   bash Nodes/tls-certificates.sh CA_DIR DATA_DIR [HOST ...]
#
# Makes a certificate authority in CA_DIR (ca.crt, ca.key) unless one is there already, then
# issues DATA_DIR/tls/certificate.pem and DATA_DIR/tls/private-key.pem (mode 0600) for HOST ...
# (IP addresses or DNS names; default 127.0.0.1 and localhost) and copies the CA's certificate
# to DATA_DIR/tls/ca.pem. Prints how to use them: the `courtsync init` options, or the `tls`
# section for an existing DATA_DIR/node.json. (The TLS key is not the node's signing key,
# DATA_DIR/node.key.)
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
    -keyout "$data/tls/private-key.pem" -out "$data/tls/request.csr"
quiet openssl x509 -req -in "$data/tls/request.csr" -CA "$ca/ca.crt" -CAkey "$ca/ca.key" -CAcreateserial -days 825 \
    -extfile <(printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' "$san") \
    -out "$data/tls/certificate.pem"
rm -f "$data/tls/request.csr"
cp "$ca/ca.crt" "$data/tls/ca.pem"
chmod 600 "$data/tls/private-key.pem"
chmod 644 "$data/tls/certificate.pem" "$data/tls/ca.pem"

cat <<EOF
courtsync init --data-dir $data ... --tls-certificate $data/tls/certificate.pem --tls-key $data/tls/private-key.pem --tls-trust-roots $data/tls/ca.pem
or in node.json: "tls": {"certificate": "tls/certificate.pem", "privateKey": "tls/private-key.pem", "trustRoots": "tls/ca.pem"}
EOF
