#!/usr/bin/env python3
"""Independent check of a Jumeau logbook export (CSV or PDF) and its manifest FILE.sig.json,
with the Python standard library and PyNaCl only, following docs/logbook-format.md.

Usage: verify_export.py FILE        exit 0 when everything verifies, 1 otherwise."""
import csv
import hashlib
import json
import sys

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey


def verified(public_key_hex, message, signature_hex):
    try:
        VerifyKey(bytes.fromhex(public_key_hex)).verify(message, bytes.fromhex(signature_hex))
        return True
    except (BadSignatureError, ValueError):
        return False


def check_csv_rows(path, problems):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    prev = None
    for r in rows:
        body = r["body"]
        entry = json.loads(body)
        where = f"entry #{r['seq']}"
        if json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False) != body:
            problems.append(f"{where}: body is not canonical")
        if hashlib.sha256(body.encode()).hexdigest() != r["entry_hash"]:
            problems.append(f"{where}: entry_hash is not SHA-256(body)")
        if str(entry["seq"]) != r["seq"] or entry["text"] != r["text"] or entry["author"] != r["author"]:
            problems.append(f"{where}: columns differ from the signed body")
        if not verified(r["public_key"], body.encode(), r["signature"]):
            problems.append(f"{where}: signature does not verify")
        if prev is not None and entry["seq"] == prev[0] + 1 and entry["prev"] != prev[1]:
            problems.append(f"{where}: not linked to entry #{prev[0]}")
        prev = (entry["seq"], r["entry_hash"])
    return len(rows)


def main(path):
    with open(path, "rb") as f:
        data = f.read()
    with open(path + ".sig.json", encoding="utf-8") as f:
        manifest = json.load(f)
    problems = []
    if hashlib.sha256(data).hexdigest() != manifest["sha256"]:
        problems.append("file SHA-256 differs from the manifest")
    if not verified(manifest["public_key"], data, manifest["signature"]):
        problems.append("manifest signature does not verify over the file")
    if hashlib.sha256(bytes.fromhex(manifest["public_key"])).hexdigest()[:16] != manifest["key_id"]:
        problems.append("key_id does not match the public key")
    entries = check_csv_rows(path, problems) if path.endswith(".csv") and not problems else None
    for p in problems:
        print(p)
    print(("FAILED" if problems else "OK") + f": {path}" + (f", {entries} entries" if entries is not None else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
