#!/usr/bin/env python3
"""Write OCI image layouts from a declarative JSON description (stdlib only).

Usage: mkimage.py DESCRIPTION.json OUTDIR [--var NAME=VALUE ...] [--only NAME ...]

The description has three maps:
  "layers": {LAYER: {"compression": "gzip"|"gzip0"|"gzip1"|"none", "entries": [ENTRY...]}}
  "images": {IMAGE: {"tag": "latest", "manifests": [MANIFEST...]}}   one manifest -> plain
            image; several -> an OCI image index (with platforms) behind the tag
  "rootfs_tars": {FILE.tar: LAYER}   plain uncompressed tar of one layer, for `import`
MANIFEST = {"os", "architecture", "variant"?, "created", "config": {...image config...},
            "layers": [LAYER...], "history": [{"created_by", "empty_layer"?}...]?,
            "annotations"?}; an image with "optional": true is built only when named by --only
ENTRY = {"path", "type": "file"|"dir"|"symlink"|"hardlink"|"whiteout"|"opaque"|"symlinks",
         "content"? (text), "source"? (host file), "random"? (byte count, with "seed"),
         "target"? (links), "mode"? (octal string or number), "uid"?, "gid"?}
Entry paths are written verbatim (no normalisation), so hostile names such as
"../x" or "/abs" can be expressed. String values may contain @VAR@ placeholders
replaced from --var. Everything is deterministic (fixed mtimes, gzip mtime 0), so
the same description always yields the same digests.

Outputs: OUTDIR/oci/IMAGE (OCI layout, ref name = tag), OUTDIR/info/IMAGE.json
(digests a test can compare against: manifest/config/layer digests, diff_ids,
chain ids, sizes) and OUTDIR/FILE.tar for each rootfs tar.
"""

import gzip
import hashlib
import io
import json
import os
import random
import sys
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_TYPES = {
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "gzip0": "application/vnd.oci.image.layer.v1.tar+gzip",
    "gzip1": "application/vnd.oci.image.layer.v1.tar+gzip",
    "none": "application/vnd.oci.image.layer.v1.tar",
}
MTIME = 1704067200  # 2024-01-01T00:00:00Z


def substitute(value, variables):
    if isinstance(value, str):
        for name, repl in variables.items():
            value = value.replace("@" + name + "@", repl)
        return value
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, variables) for k, v in value.items()}
    return value


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def entry_data(entry):
    if "content" in entry:
        return entry["content"].encode()
    if "source" in entry:
        with open(entry["source"], "rb") as f:
            return f.read()
    if "random" in entry:
        return random.Random(entry.get("seed", entry["path"])).randbytes(int(entry["random"]))
    return b""


def mode_of(entry, default):
    mode = entry.get("mode", default)
    return int(mode, 8) if isinstance(mode, str) else mode


def tar_entry(entry):
    """Return (TarInfo, data-or-None) for one description entry."""
    kind = entry.get("type", "file")
    path = entry["path"]
    if kind == "whiteout":
        head, tail = os.path.split(path)
        path, kind = os.path.join(head, ".wh." + tail), "file"
    elif kind == "opaque":
        path, kind = os.path.join(path, ".wh..wh..opq"), "file"
    info = tarfile.TarInfo(path)
    info.mtime = entry.get("mtime", MTIME)
    info.uid = entry.get("uid", 0)
    info.gid = entry.get("gid", info.uid)
    info.uname = info.gname = ""
    data = None
    if kind == "dir":
        info.type, info.mode = tarfile.DIRTYPE, mode_of(entry, 0o755)
    elif kind == "symlink":
        info.type, info.linkname, info.mode = tarfile.SYMTYPE, entry["target"], 0o777
    elif kind == "hardlink":
        info.type, info.linkname = tarfile.LNKTYPE, entry["target"]
        info.mode = mode_of(entry, 0o644)
    elif kind == "file":
        data = entry_data(entry)
        info.type, info.size = tarfile.REGTYPE, len(data)
        info.mode = mode_of(entry, 0o755 if "source" in entry else 0o644)
    else:
        raise SystemExit("mkimage: unknown entry type %r for %s" % (kind, path))
    return info, data


def expand(entries):
    """Expand {"type": "symlinks", "dir", "target", "names"} into one symlink each."""
    for entry in entries:
        if entry.get("type") == "symlinks":
            for name in entry["names"]:
                yield {"path": entry["dir"] + "/" + name, "type": "symlink", "target": entry["target"]}
        else:
            yield entry


def build_tar(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in expand(entries):
            info, data = tar_entry(entry)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def compress(raw, compression):
    if compression == "none":
        return raw
    level = {"gzip": 6, "gzip0": 0, "gzip1": 1}[compression]
    return gzip.compress(raw, compresslevel=level, mtime=0)


class Layout:
    """One OCI image layout directory."""

    def __init__(self, path):
        self.path = path
        os.makedirs(os.path.join(path, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(path, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')

    def put(self, data):
        digest = sha256(data)
        blob = os.path.join(self.path, "blobs", "sha256", digest.split(":")[1])
        if not os.path.exists(blob):
            with open(blob + ".tmp", "wb") as f:
                f.write(data)
            os.rename(blob + ".tmp", blob)
        return digest

    def put_json(self, obj):
        data = json.dumps(obj, separators=(",", ":")).encode()
        return self.put(data), len(data)


class Builder:
    def __init__(self, desc):
        self.desc = desc
        self.layer_cache = {}

    def layer(self, name):
        if name not in self.layer_cache:
            spec = self.desc["layers"][name]
            raw = build_tar(spec["entries"])
            comp = spec.get("compression", "gzip")
            blob = compress(raw, comp)
            self.layer_cache[name] = {"raw": raw, "blob": blob, "mediaType": LAYER_TYPES[comp],
                                      "digest": sha256(blob), "diff_id": sha256(raw)}
        return self.layer_cache[name]

    def manifest(self, layout, spec, tag):
        layers = [self.layer(name) for name in spec["layers"]]
        created = spec.get("created", "2024-01-01T00:00:00Z")
        history = spec.get("history") or [
            {"created_by": "/bin/sh -c #(nop) ADD file:%s in /" % name} for name in spec["layers"]]
        config = {
            "created": created,
            "architecture": spec["architecture"],
            "os": spec.get("os", "linux"),
            "config": spec.get("config", {}),
            "rootfs": {"type": "layers", "diff_ids": [l["diff_id"] for l in layers]},
            "history": [dict({"created": created}, **h) for h in history],
        }
        if "variant" in spec:
            config["variant"] = spec["variant"]
        config_digest, config_size = layout.put_json(config)
        for l in layers:
            layout.put(l["blob"])
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": config_digest, "size": config_size},
            "layers": [{"mediaType": l["mediaType"], "digest": l["digest"], "size": len(l["blob"])}
                       for l in layers],
        }
        if spec.get("annotations"):
            manifest["annotations"] = spec["annotations"]
        digest, size = layout.put_json(manifest)
        chain, chain_ids = None, []
        for l in layers:
            chain = l["diff_id"] if chain is None else sha256((chain + " " + l["diff_id"]).encode())
            chain_ids.append(chain)
        platform = {"os": config["os"], "architecture": config["architecture"]}
        if "variant" in spec:
            platform["variant"] = spec["variant"]
        descriptor = {"mediaType": OCI_MANIFEST, "digest": digest, "size": size, "platform": platform}
        info = {
            "manifest_digest": digest, "config_digest": config_digest,
            "id": config_digest.split(":")[1], "created": created,
            "architecture": config["architecture"], "os": config["os"],
            "layers": [l["digest"] for l in layers], "diff_ids": config["rootfs"]["diff_ids"],
            "chain_ids": chain_ids, "layer_sizes": [len(l["blob"]) for l in layers],
            "uncompressed_size": sum(len(l["raw"]) for l in layers),
            "history": [h["created_by"] for h in history],
            "cmd": config["config"].get("Cmd"), "labels": config["config"].get("Labels") or {},
        }
        return descriptor, info

    def image(self, outdir, name):
        spec = self.desc["images"][name]
        tag = spec.get("tag", "latest")
        path = os.path.join(outdir, "oci", name)
        layout = Layout(path)
        results = [self.manifest(layout, m, tag) for m in spec["manifests"]]
        if len(results) == 1:
            top, info = dict(results[0][0]), dict(results[0][1])
            del top["platform"]
        else:
            index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [d for d, _ in results]}
            digest, size = layout.put_json(index)
            top = {"mediaType": OCI_INDEX, "digest": digest, "size": size}
            info = {"index_digest": digest, "platforms": {}}
            for d, i in results:
                p = d["platform"]
                info["platforms"][p["os"] + "/" + p["architecture"]] = i
        top["annotations"] = {"org.opencontainers.image.ref.name": tag}
        with open(os.path.join(path, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [top]}, f,
                      separators=(",", ":"))
        info.update({"name": name, "tag": tag, "layout": path})
        os.makedirs(os.path.join(outdir, "info"), exist_ok=True)
        with open(os.path.join(outdir, "info", name + ".json"), "w") as f:
            json.dump(info, f, indent=1)


def main(argv):
    args, variables, only = [], {}, []
    it = iter(argv)
    for arg in it:
        if arg == "--var":
            name, _, value = next(it).partition("=")
            variables[name] = value
        elif arg == "--only":
            only.append(next(it))
        else:
            args.append(arg)
    if len(args) != 2:
        raise SystemExit(__doc__)
    with open(args[0]) as f:
        desc = substitute(json.load(f), variables)
    outdir = args[1]
    builder = Builder(desc)
    for name, spec in desc.get("images", {}).items():
        if name in only or (not only and not spec.get("optional")):
            builder.image(outdir, name)
    for filename, layer in desc.get("rootfs_tars", {}).items():
        if not only or filename in only:
            with open(os.path.join(outdir, filename), "wb") as f:
                f.write(builder.layer(layer)["raw"])


if __name__ == "__main__":
    main(sys.argv[1:])
