"""Copies a docker-archive tar, giving its image other RepoTags.

Usage: retag_archive.py IN.tar OUT.tar TAG...
The image content and ID are unchanged; only manifest.json's RepoTags and
the legacy repositories file differ, so `docker load` tags it under TAG...
"""
import io
import json
import sys
import tarfile

src, dst, tags = sys.argv[1], sys.argv[2], sys.argv[3:]
if not tags:
    sys.exit("usage: retag_archive.py IN.tar OUT.tar TAG...")
with tarfile.open(src) as inp, tarfile.open(dst, "w") as out:
    for member in inp.getmembers():
        if member.name == "repositories":
            continue  # optional, and it would name the old tag
        data = inp.extractfile(member).read() if member.isfile() else None
        if member.name == "manifest.json":
            manifest = json.loads(data)
            if len(manifest) != 1:
                sys.exit(f"{src}: expected one image, found {len(manifest)}")
            manifest[0]["RepoTags"] = tags
            data = json.dumps(manifest).encode()
            member.size = len(data)
        out.addfile(member, io.BytesIO(data) if data is not None else None)
