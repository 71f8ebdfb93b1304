#!/usr/bin/python3
"""Peer figure for BENCHMARKS.md: OpenCV (libjpeg-turbo) JPEG decode rate on the benchmark corpus, 1 and 2 processes.

    /usr/bin/python3 tools/bench_opencv_decode.py /tmp/corpus
"""
import glob
import sys
import time
from multiprocessing import Pool

import cv2
import numpy as np


def decode_all(paths):
    cv2.setNumThreads(1)
    blobs = [np.frombuffer(open(p, "rb").read(), np.uint8) for p in paths]
    start = time.perf_counter()
    for blob in blobs:
        cv2.imdecode(blob, cv2.IMREAD_COLOR)
    return time.perf_counter() - start


def main():
    paths = sorted(glob.glob(sys.argv[1] + "/*/*.jpg"))
    decode_all(paths[:50])
    one = min(decode_all(paths) for _ in range(3))
    halves = [paths[0::2], paths[1::2]]
    with Pool(2) as pool:
        two = min(max(pool.map(decode_all, halves)) for _ in range(3))
    print(f"OpenCV {cv2.__version__} cv2.imdecode (libjpeg-turbo): 1 process {len(paths) / one:.0f} img/s, 2 processes {len(paths) / two:.0f} img/s")


if __name__ == "__main__":
    main()
