#!/usr/bin/python3
"""Exact references for the 8-bit bilinear resize (Pipeline.Tests/TestData/opencv/bilinear_random.json).

    apt-get install python3-opencv      # Debian 12: OpenCV 4.6.0
    /usr/bin/python3 tools/make_bilinear_references.py

Each case resizes a noise image (made by the hash below, which the C# test repeats) with cv2.INTER_LINEAR and records
the SHA-256 of the result. Noise makes every rounding visible; the sizes cover shrinking, enlarging, exact halving,
1 to 4 channels and every remainder of a row's length modulo 16 and 32 (vector code handles rows in such blocks).
"""
import hashlib
import json
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Pipeline.Tests" / "TestData" / "opencv" / "bilinear_random.json"


def noise(h, w, c, seed):
    """Byte i = the top byte of a 32-bit integer hash of (i, seed)."""
    i = np.arange(h * w * c, dtype=np.uint64)
    v = (i * np.uint64(2654435761) + np.uint64(seed * 97531)) & np.uint64(0xFFFFFFFF)
    v ^= v >> np.uint64(15)
    v = (v * np.uint64(2246822519)) & np.uint64(0xFFFFFFFF)
    v ^= v >> np.uint64(13)
    return (v >> np.uint64(24)).astype(np.uint8).reshape(h, w, c)


def main():
    rng = np.random.default_rng(20261126)
    sizes = [(500, 415, 308, 256), (415, 500, 256, 308), (640, 480, 320, 240), (300, 200, 224, 224), (13, 11, 40, 33),
             (7, 5, 24, 19), (1, 1, 5, 3), (9, 1, 4, 1), (1, 9, 1, 4), (2, 2, 1, 1), (1000, 30, 17, 29), (31, 33, 62, 66)]
    for _ in range(60):
        sw, sh = int(rng.integers(1, 400)), int(rng.integers(1, 300))
        sizes.append((sw, sh, int(rng.integers(1, 400)), int(rng.integers(1, 300))))
    # The corpus's square photos (a group of 32 values no longer fits a 64-byte window) and strong reductions.
    sizes += [(500, 500, 256, 256), (2000, 1500, 224, 168), (1600, 90, 41, 30), (3000, 40, 21, 7)]
    cases = []
    for seed, (sw, sh, dw, dh) in enumerate(sizes):
        for c in (1, 2, 3, 4):
            img = noise(sh, sw, c, seed)
            out = cv2.resize(img[:, :, 0] if c == 1 else img, (dw, dh), interpolation=cv2.INTER_LINEAR)
            cases.append({"channels": c, "sw": sw, "sh": sh, "dw": dw, "dh": dh, "seed": seed,
                          "sha256": hashlib.sha256(np.ascontiguousarray(out).tobytes()).hexdigest()})
    OUT.write_text(json.dumps({"opencv": cv2.__version__, "cases": cases}, indent=0) + "\n")


if __name__ == "__main__":
    main()
