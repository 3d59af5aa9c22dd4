#!/usr/bin/env python3
"""Turns the JSON of `pip install --dry-run --ignore-installed --report` into a requirements lock:
every distribution pip resolved, with its exact version and the sha256 of the file pip chose.

    lock-report.py report.json > requirements.lock

Runs inside the image the lock is for (images/lock.sh), so local find-links files can be hashed.
"""
import hashlib
import json
import re
import sys
import urllib.parse


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256_of(item):
    info = item["download_info"]
    archive = info.get("archive_info")
    if archive is None:
        sys.exit(f"lock: {item['metadata']['name']} comes from {info['url']}, not a wheel or sdist: it cannot be hash-pinned")
    digest = (archive.get("hashes") or {}).get("sha256")
    if not digest and archive.get("hash", "").startswith("sha256="):
        digest = archive["hash"][len("sha256="):]
    if not digest and info["url"].startswith("file://"):
        with open(urllib.parse.unquote(urllib.parse.urlparse(info["url"]).path), "rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
    if not digest:
        sys.exit(f"lock: the index gave no sha256 for {info['url']}")
    return digest


def main():
    with open(sys.argv[1]) as f:
        report = json.load(f)
    entries = sorted(
        (canonical(i["metadata"]["name"]), i["metadata"]["version"], sha256_of(i)) for i in report["install"]
    )
    for name, version, digest in entries:
        print(f"{name}=={version} \\\n    --hash=sha256:{digest}")


if __name__ == "__main__":
    main()
