#!/usr/bin/python3
"""Peer figure for BENCHMARKS.md (issue 11): what im2rec.py does per image when re-encoding, in OpenCV.

    /usr/bin/python3 tools/bench_opencv_reencode.py /tmp/corpus [procs=2] [passes=2]

Each of `procs` processes (multiprocessing, the images split between them) reads its share into memory, then
runs cv2.imdecode (IMREAD_COLOR) + cv2.resize of the shorter side to 256 with INTER_LINEAR (im2rec.py's
arithmetic) + cv2.imencode('.jpg', quality 95) over it. Best of `passes`. Prints one line:

    opencv-reencode procs=2 images=2000 passes=2 best_s=... img_per_s=...
"""
import os
import queue
import sys
import time
from multiprocessing import Barrier, Process, Queue

import cv2
import numpy as np

RESIZE = 256
QUALITY = 95


def _reencode(blobs):
    for blob in blobs:
        img = cv2.imdecode(blob, cv2.IMREAD_COLOR)
        # im2rec.py: newsize is (width, height), the shorter side becomes RESIZE, the other is floored.
        if img.shape[0] > img.shape[1]:
            newsize = (RESIZE, img.shape[0] * RESIZE // img.shape[1])
        else:
            newsize = (img.shape[1] * RESIZE // img.shape[0], RESIZE)
        img = cv2.resize(img, newsize, interpolation=cv2.INTER_LINEAR)
        ok, _ = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, QUALITY])
        assert ok


def _worker(paths, passes, barrier, results):
    cv2.setNumThreads(1)
    blobs = [np.frombuffer(open(p, "rb").read(), np.uint8) for p in paths]
    _reencode(blobs[:20])
    for _ in range(passes):
        barrier.wait()
        start = time.perf_counter()
        _reencode(blobs)
        # perf_counter is CLOCK_MONOTONIC on Linux, so the processes' spans are comparable.
        results.put((start, time.perf_counter()))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    procs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    passes = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    paths = sorted(os.path.join(d, f) for d, _, names in os.walk(root) for f in names
                   if f.lower().endswith((".jpg", ".jpeg")))
    if not paths:
        sys.exit(f"no .jpg/.jpeg files under {root}")
    # One process per share, each holding its share in memory before the first pass, so a pass times only the work.
    barrier = Barrier(procs)
    results = Queue()
    workers = [Process(target=_worker, args=(paths[i::procs], passes, barrier, results)) for i in range(procs)]
    for w in workers:
        w.start()
    best = None
    for _ in range(passes):
        try:
            spans = [results.get(timeout=3600) for _ in range(procs)]
        except queue.Empty:
            sys.exit("a worker did not finish its pass")
        # Wall time of the pass: first start to last end across the processes.
        seconds = max(end for _, end in spans) - min(start for start, _ in spans)
        best = seconds if best is None else min(best, seconds)
    for w in workers:
        w.join()
        if w.exitcode != 0:
            sys.exit(f"a worker failed with exit code {w.exitcode}")
    print(f"opencv-reencode procs={procs} images={len(paths)} passes={passes} best_s={best:.6f} "
          f"img_per_s={len(paths) / best:.1f} (OpenCV {cv2.__version__}: imdecode + resize {RESIZE} INTER_LINEAR + imencode q{QUALITY})")


if __name__ == "__main__":
    main()
