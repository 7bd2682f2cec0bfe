#!/usr/bin/env python3
# Writes the hand-made seeds of the layer_tar fuzz target into
# corpus/layer_tar/: small tars (plain, gzip, zstd-less) with whiteouts, an
# opaque directory, hard links, symlinks (inside and pointing out), long
# names (GNU and PAX), devices, a FIFO, xattrs and hostile paths. Run it again
# after changing it; the files are committed.
import gzip
import io
import os
import tarfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "layer_tar")


def entry(name, kind=tarfile.REGTYPE, data=b"", **kw):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.mode = kw.pop("mode", 0o755 if kind == tarfile.DIRTYPE else 0o644)
    for k, v in kw.items():
        setattr(info, k, v)
    return info, (io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def write(name, entries, fmt=tarfile.GNU_FORMAT, compress=False):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        for info, data in entries:
            tar.addfile(info, data)
    raw = buf.getvalue().rstrip(b"\0")
    raw += b"\0" * (-len(raw) % 512 + 1024)   # the end-of-archive blocks, without the record padding
    if compress:
        raw = gzip.compress(raw, mtime=0)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(raw)


os.makedirs(OUT, exist_ok=True)
write("basic.tar", [entry("etc/", tarfile.DIRTYPE), entry("etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\n"),
                    entry("bin/", tarfile.DIRTYPE), entry("bin/sh", data=b"#!\n", mode=0o755)])
write("basic.tar.gz", [entry("a/", tarfile.DIRTYPE), entry("a/b", data=b"hello\n")], compress=True)
write("whiteouts.tar", [entry("dir/", tarfile.DIRTYPE), entry("dir/.wh..wh..opq"), entry(".wh.gone"),
                        entry("dir/.wh.file"), entry(".wh..wh.plnk/"), entry("keep", data=b"x")])
write("hardlinks.tar", [entry("f", data=b"data"), entry("g", tarfile.LNKTYPE, linkname="f"),
                        entry("d/", tarfile.DIRTYPE), entry("d/h", tarfile.LNKTYPE, linkname="./f"),
                        entry("bad", tarfile.LNKTYPE, linkname="../../etc/passwd"),
                        entry("missing", tarfile.LNKTYPE, linkname="nope")])
write("symlinks.tar", [entry("lib", tarfile.SYMTYPE, linkname="usr/lib"), entry("usr/", tarfile.DIRTYPE),
                       entry("usr/lib/", tarfile.DIRTYPE), entry("lib/x", data=b"through link"),
                       entry("out", tarfile.SYMTYPE, linkname="/etc"), entry("out/pwned", data=b"no"),
                       entry("up", tarfile.SYMTYPE, linkname="../../.."), entry("up/pwned", data=b"no"),
                       entry("loop", tarfile.SYMTYPE, linkname="loop")])
long_dir = "/".join(["d" * 60] * 5)
write("longnames-gnu.tar", [entry(long_dir + "/", tarfile.DIRTYPE), entry(long_dir + "/" + "f" * 200, data=b"long"),
                            entry("l", tarfile.SYMTYPE, linkname="t" * 300)])
write("longnames-pax.tar", [entry(long_dir + "/" + "p" * 120, data=b"pax",
                                  pax_headers={"SCHILY.xattr.user.test": "v", "mtime": "1.5"})],
      fmt=tarfile.PAX_FORMAT)
write("xattrs.tar", [entry("x", data=b"", pax_headers={"SCHILY.xattr.user.a": "1",
                                                       "SCHILY.xattr.security.capability": "\x01\x00\x00\x02",
                                                       "SCHILY.xattr.trusted.overlay.opaque": "y"})],
      fmt=tarfile.PAX_FORMAT)
write("special.tar", [entry("dev/", tarfile.DIRTYPE), entry("dev/null", tarfile.CHRTYPE, devmajor=1, devminor=3),
                      entry("dev/sda", tarfile.BLKTYPE, devmajor=8, devminor=0), entry("fifo", tarfile.FIFOTYPE),
                      entry("setuid", data=b"s", mode=0o4755), entry("noperm/", tarfile.DIRTYPE, mode=0),
                      entry("noperm/f", data=b"f", mode=0)])
write("hostile-paths.tar", [entry("../escape", data=b"no"), entry("/abs", data=b"abs"), entry("./a/../../b", data=b"b"),
                            entry("a//b/./c", data=b"c"), entry(".", tarfile.DIRTYPE), entry("", data=b"empty")])
write("replace.tar", [entry("x/", tarfile.DIRTYPE), entry("x", data=b"file over dir"), entry("y", data=b"1"),
                      entry("y/", tarfile.DIRTYPE), entry("z", tarfile.SYMTYPE, linkname="y"), entry("z", data=b"2")])
