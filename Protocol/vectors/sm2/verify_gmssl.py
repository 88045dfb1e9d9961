#!/usr/bin/env python3
"""An independent check of the sm2 vectors (Protocol/sync.md §2.6, changeset.md §4), written from
the spec with gmssl, a pure-Python SM2/SM3 (pip install gmssl), sharing no code with CourtSync.

    python3 Protocol/vectors/sm2/verify_gmssl.py

For each NAME.csync: the header (format 4, suite byte 2), the SM3 checksum, the zlib payload, every
event's id (SM3 of its bytes) and SM2 signature (SM3, signer id 1234567812345678, label `CourtSync
event v1`, a zero byte, the id), every witness's hub signature; then the attestation's leaves,
Merkle root (RFC 6962 over SM3) and signature, and the directory's signature over its payload.
"""
import base64, json, os, sys, zlib
from gmssl import func, sm2, sm3

HERE = os.path.dirname(os.path.abspath(__file__))
def h(data): return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(data)))
def verify(public_key_hex, signature, message):
    # gmssl takes the point without its 04 prefix and uses the default signer id 1234567812345678.
    return sm2.CryptSM2(public_key=public_key_hex[2:], private_key=None).verify_with_sm3(signature.hex(), message)
def varint(data, at):
    value, shift = 0, 0
    while True:
        byte = data[at]; at += 1
        value |= (byte & 0x7F) << shift; shift += 7
        if byte < 0x80: return value, at
def string(data, at):
    length, at = varint(data, at)
    return data[at:at + length].decode(), at + length
def label(name): return name.encode() + b"\x00"
failures = []
def check(ok, what):
    if not ok: failures.append(what)

hub_key = {k["node"]: k["publicKey"] for k in json.load(open(os.path.join(HERE, "keys.json")))}["最高法.node"]
for name in ["03-two-matters", "05-witnesses", "07-documents"]:
    data = open(os.path.join(HERE, name + ".csync"), "rb").read()
    described = json.load(open(os.path.join(HERE, name + ".json")))
    check(data[:4] == b"CSYN" and data[4] == 4 and data[5] == 1 and data[6] == 2, name + ": header")
    at = 7
    court, at = string(data, at); node, at = string(data, at)
    created, at = varint(data, at); through, at = varint(data, at)
    events, at = varint(data, at); witnesses, at = varint(data, at)
    payload_length, at = varint(data, at); compressed_length, at = varint(data, at)
    checksum, compressed = data[at:at + 32], data[at + 32:]
    check(len(compressed) == compressed_length, name + ": compressed length")
    check(h(data[:at] + compressed) == checksum, name + ": SM3 checksum")
    payload = zlib.decompress(compressed)
    check(len(payload) == payload_length, name + ": payload length")
    at = 0
    for index in range(events + witnesses):
        length, at = varint(payload, at)
        body, signature = payload[at:at + length], payload[at + length:at + length + 64]
        at += length + 64
        if index < events:
            record = described["events"][index]
            event_id = h(body)
            check(event_id.hex() == record["id"] and body.hex() == record["encoded"], f"{name}: event {index} id")
            check(verify(record["publicKey"], signature, label("CourtSync event v1") + event_id),
                  f"{name}: event {index} signature")
            check(not verify(record["publicKey"], signature, label("CourtSync event v1") + bytes(32)),
                  f"{name}: event {index} signature verifies for another id")
        else:
            check(verify(hub_key, signature, label("CourtSync witness v1") + body), f"{name}: witness {index - events}")
    check(at == len(payload), name + ": trailing payload")
    print(f"{name}: {events} events, {witnesses} witnesses checked")

attestation = json.load(open(os.path.join(HERE, "attestation-05-witnesses.json")))
leaves = [h(b"\x00" + bytes.fromhex(leaf["data"])) for leaf in attestation["leaves"]]
def root(hashes):
    if len(hashes) == 1: return hashes[0]
    split = 1
    while split * 2 < len(hashes): split *= 2
    return h(b"\x01" + root(hashes[:split]) + root(hashes[split:]))
check(root(leaves).hex() == attestation["root"], "attestation: Merkle root")
header = base64.b64decode(attestation["header"])
check(verify(hub_key, header[-64:], label("CourtSync batch v1") + header[:-64]), "attestation: signature")
print(f"attestation: {len(leaves)} leaves, root and signature checked")

directory = json.load(open(os.path.join(HERE, "directory.json")))
payload = base64.b64decode(directory["payload"])
check(verify(hub_key, base64.b64decode(directory["signature"]), label("CourtSync directory v1") + payload),
      "directory: signature")
check(json.loads(payload)["suite"] == "sm2", "directory: suite")
print("directory: signature and suite checked")

for example in json.load(open(os.path.join(HERE, "sm3.json"))):
    check(h(bytes.fromhex(example["input"])).hex() == example["sm3"], "sm3: " + example["input"])
if failures:
    sys.exit("FAILED: " + "; ".join(failures))
print("all sm2 vectors verify")
