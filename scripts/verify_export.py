#!/usr/bin/env python3
"""Independent check of a Jumeau logbook export (CSV or PDF) and its manifest FILE.sig.json,
with the Python standard library and PyNaCl only, following docs/logbook-format.md.

Usage: verify_export.py FILE (--key HEX | --keys accounts.json) [--hub-key HEX]
    exit 0 when everything verifies, 1 otherwise. The signer's key must be one you trust: given
    with --key, or registered to the manifest's signer@device in the plant's key list
    (`jumeau account list --json`, handed over by the plant: the store itself is encrypted).
    A manifest's own public key proves nothing by itself. Entries from several devices (a plant
    logbook synced through the hub) chain per device; with --hub-key (`jumeau hub key`) every
    entry's countersignature is checked too (docs/sync.md): the hub's signature, that it names
    this entry, and the hub's order and chain where consecutive receipts are in the file."""
import argparse
import csv
import hashlib
import json
import sys

FORMAT = "jumeau-export-signature/2"
# An entry's text may be long; the csv module's default field limit (128 kB) is not a format rule.
csv.field_size_limit(sys.maxsize)

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey


def verified(public_key_hex, message, signature_hex):
    try:
        VerifyKey(bytes.fromhex(public_key_hex)).verify(message, bytes.fromhex(signature_hex))
        return True
    except (BadSignatureError, ValueError):
        return False


def check_csv_rows(path, problems, hub_key=None):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    prev_by_device = {}
    receipts = []
    for r in rows:
        body = r["body"]
        entry = json.loads(body)
        where = f"entry #{r['seq']}"
        if canonical(entry).decode() != body:
            problems.append(f"{where}: body is not canonical")
        if hashlib.sha256(body.encode()).hexdigest() != r["entry_hash"]:
            problems.append(f"{where}: entry_hash is not SHA-256(body)")
        if str(entry["seq"]) != r["seq"] or entry["text"] != r["text"] or entry["author"] != r["author"]:
            problems.append(f"{where}: columns differ from the signed body")
        if not verified(r["public_key"], body.encode(), r["signature"]):
            problems.append(f"{where}: signature does not verify")
        prev = prev_by_device.get(entry["device"])
        if prev is not None and entry["seq"] == prev[0] + 1 and entry["prev"] != prev[1]:
            problems.append(f"{where}: not linked to entry #{prev[0]}")
        prev_by_device[entry["device"]] = (entry["seq"], r["entry_hash"])
        if r.get("countersignature") and hub_key is not None:
            at = f"entry {entry['device']}#{r['seq']}"
            receipts.append(check_countersignature(r, entry, at, hub_key, problems))
    check_hub_order(receipts, problems)
    return len(rows)


def check_countersignature(r, entry, where, hub_key, problems):
    """The hub's receipt of this entry: its signature, and that it names this entry."""
    cs = json.loads(r["countersignature"])
    receipt = json.loads(cs["receipt"])
    if canonical(receipt).decode() != cs["receipt"] or receipt.get("format") != "jumeau-receipt/1":
        problems.append(f"{where}: countersignature is not a canonical receipt")
    if not verified(hub_key, cs["receipt"].encode(), cs["signature"]):
        problems.append(f"{where}: the hub's countersignature does not verify")
    if (receipt.get("entry_hash"), receipt.get("device"), receipt.get("device_seq")) != (
            r["entry_hash"], entry["device"], entry["seq"]):
        problems.append(f"{where}: the countersignature names another entry")
    return (receipt["hub_seq"], receipt["prev"], hashlib.sha256(cs["receipt"].encode()).hexdigest(),
            entry["device"], entry["seq"], where)


def check_hub_order(receipts, problems):
    """Per device, the hub's order follows the device chain; consecutive receipts link."""
    last_by_device = {}
    for hub_seq, _, _, device, seq, where in sorted(receipts, key=lambda x: (x[3], x[4])):
        last = last_by_device.get(device)
        if last is not None and hub_seq <= last:
            problems.append(f"{where}: countersigned before the entry it follows")
        last_by_device[device] = hub_seq
    by_seq = sorted(receipts)
    for a, b in zip(by_seq, by_seq[1:]):
        if b[0] == a[0] + 1 and b[1] != a[2]:
            problems.append(f"{b[5]}: receipt {b[0]} does not follow receipt {a[0]}")
        if b[0] == a[0]:
            problems.append(f"{b[5]}: hub sequence {b[0]} given twice")


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def trusted(manifest, key_hex, key_list):
    """Whether the manifest's public key is trusted for its signer@device."""
    if key_hex is not None:
        return key_hex.strip().lower() == manifest["public_key"].lower()
    with open(key_list, encoding="utf-8") as f:
        keys = json.load(f)["keys"]
    owners = [(k["login"], k["device"]) for k in keys
              if k["public_key"].lower() == manifest["public_key"].lower()]
    return owners == [(manifest["signer"], manifest["device"])]


def main(path, key_hex, key_list, hub_key=None):
    with open(path, "rb") as f:
        data = f.read()
    with open(path + ".sig.json", encoding="utf-8") as f:
        manifest = json.load(f)
    problems = []
    if manifest.get("format") != FORMAT:
        problems.append(f"manifest format {manifest.get('format')!r} is not {FORMAT!r}")
    else:
        if hashlib.sha256(data).hexdigest() != manifest["sha256"] or len(data) != manifest["size"]:
            problems.append("file SHA-256 or size differs from the manifest")
        body = {k: v for k, v in manifest.items() if k != "signature"}
        if not verified(manifest["public_key"], canonical(body), manifest["signature"]):
            problems.append("manifest signature does not verify over its fields")
        if hashlib.sha256(bytes.fromhex(manifest["public_key"])).hexdigest()[:16] != manifest["key_id"]:
            problems.append("key_id does not match the public key")
        if not trusted(manifest, key_hex, key_list):
            problems.append(f"public key not trusted for {manifest['signer']}@{manifest['device']}")
    entries = (check_csv_rows(path, problems, hub_key)
               if path.endswith(".csv") and not problems else None)
    for p in problems:
        print(p)
    print(("FAILED" if problems else "OK") + f": {path}" + (f", {entries} entries" if entries is not None else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    trust = parser.add_mutually_exclusive_group(required=True)
    trust.add_argument("--key", help="the signer's public key, 64 hex digits")
    trust.add_argument("--keys", help="the plant's key list (jumeau account list --json)")
    parser.add_argument("--hub-key", help="the plant hub's public key, 64 hex digits")
    args = parser.parse_args()
    sys.exit(main(args.file, args.key, args.keys, args.hub_key))
