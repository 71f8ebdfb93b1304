#!/usr/bin/env python3
"""Cut the shipped Fashion-MNIST subset out of Debian's dataset-fashion-mnist package.

    apt-get install dataset-fashion-mnist
    python3 tools/make_fashion_mnist_subset.py

Keeps the first TRAIN images of the training set and the first TEST of the test set, as gzip-compressed
IDX files with their headers' counts rewritten. Deterministic (gzip mtime 0).
"""
import gzip
import struct
import sys
from pathlib import Path

SOURCE = Path("/usr/share/datasets/fashion-mnist")
TARGET = Path(__file__).resolve().parent.parent / "data" / "fashion-mnist"
TRAIN, TEST = 8000, 2000


def cut(name: str, count: int) -> None:
    raw = gzip.decompress((SOURCE / f"{name}.gz").read_bytes())
    magic, total = struct.unpack(">II", raw[:8])
    dims = (magic & 0xFF) - 1
    sizes = struct.unpack(f">{dims}I", raw[8 : 8 + 4 * dims])
    item = 1
    for size in sizes:
        item *= size
    header = 8 + 4 * dims
    assert count <= total, (name, count, total)
    body = raw[header : header + count * item]
    out = struct.pack(">II", magic, count) + raw[8:header] + body
    TARGET.mkdir(parents=True, exist_ok=True)
    with open(TARGET / f"{name}.gz", "wb") as handle:
        handle.write(gzip.compress(out, compresslevel=9, mtime=0))
    print(f"{name}: {count} of {total} items, shape {sizes}")


if __name__ == "__main__":
    if not SOURCE.exists():
        sys.exit("install Debian's dataset-fashion-mnist first")
    cut("train-images-idx3-ubyte", TRAIN)
    cut("train-labels-idx1-ubyte", TRAIN)
    cut("t10k-images-idx3-ubyte", TEST)
    cut("t10k-labels-idx1-ubyte", TEST)
