#!/usr/bin/env python3
"""Independent check of a Jumeau logbook export (CSV or PDF) and its manifest FILE.sig.json,
with the Python standard library and PyNaCl only, following docs/logbook-format.md.

Usage: verify_export.py FILE (--key HEX | --keys accounts.json)
    exit 0 when everything verifies, 1 otherwise. The signer's key must be one you trust: given
    with --key, or registered to the manifest's signer@device in the plant's key list
    (`jumeau account list --json`, handed over by the plant: the store itself is encrypted).
    A manifest's own public key proves nothing by itself."""
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


def check_csv_rows(path, problems):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    prev = None
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
        if prev is not None and entry["seq"] == prev[0] + 1 and entry["prev"] != prev[1]:
            problems.append(f"{where}: not linked to entry #{prev[0]}")
        prev = (entry["seq"], r["entry_hash"])
    return len(rows)


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


def main(path, key_hex, key_list):
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
    entries = check_csv_rows(path, problems) if path.endswith(".csv") and not problems else None
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
    args = parser.parse_args()
    sys.exit(main(args.file, args.key, args.keys))
