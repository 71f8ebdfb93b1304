#!/usr/bin/python3
"""Reference outputs from OpenCV for the imaging tests (Pipeline.Tests/TestData/opencv).

    apt-get install python3-opencv      # Debian 12: OpenCV 4.6.0
    /usr/bin/python3 tools/make_opencv_references.py

Every file is a lossless PNG in RGB order, so the C# tests read exactly the pixels OpenCV produced:
- decode_<photo>.png          cv2.imdecode(IMREAD_COLOR) of a golden photo (the JPEG decode reference)
- gray_<photo>.png            cv2.imdecode(IMREAD_GRAYSCALE)
- resize_<input>_<w>x<h>_i<interp>.png   cv2.resize(input, (w, h), interpolation=interp)
- border_<input>_t<k>.png     cv2.copyMakeBorder(input, 3, 5, 7, 2, k, value=(17, 17, 17))
- resizeshort_<input>_256.png resize_short to 256 with bicubic (MXNet's default interp 2)
Inputs of resize/border: cups_rgb.png (lossless) and decode_kite_closeup.png (OpenCV's decode of the JPEG).
"""
import json
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = ROOT / "Pipeline.Tests" / "TestData" / "mxnet-golden" / "im2rec" / "photos"
OUT = ROOT / "Pipeline.Tests" / "TestData" / "opencv"


def save(name, rgb_or_gray):
    img = rgb_or_gray if rgb_or_gray.ndim == 2 else cv2.cvtColor(rgb_or_gray, cv2.COLOR_RGB2BGR)
    assert cv2.imwrite(str(OUT / name), img, [cv2.IMWRITE_PNG_COMPRESSION, 9])


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = {"opencv": cv2.__version__, "files": []}
    for photo in ["objects/kite_closeup.jpg", "landscape/bythewater.jpg", "plants/path_narrow.jpg", "objects/grey_portrait.jpg"]:
        data = np.frombuffer((PHOTOS / photo).read_bytes(), np.uint8)
        stem = Path(photo).stem
        save(f"decode_{stem}.png", cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB))
        save(f"gray_{stem}.png", cv2.imdecode(data, cv2.IMREAD_GRAYSCALE))
        manifest["files"] += [f"decode_{stem}.png", f"gray_{stem}.png"]

    inputs = {
        "cups": cv2.cvtColor(cv2.imread(str(PHOTOS / "objects" / "cups_rgb.png"), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB),
        "kite": cv2.cvtColor(cv2.imread(str(OUT / "decode_kite_closeup.png"), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB),
    }
    for name, img in inputs.items():
        h, w = img.shape[:2]
        sizes = [(w * 37 // 100, h * 37 // 100), (w * 17 // 10, h * 17 // 10), (w // 3, h * 3 // 2), (w // 2, h // 2), (w - 1, h + 1)]
        for (tw, th) in sizes:
            for interp in range(5):
                out = cv2.resize(img, (tw, th), interpolation=interp)
                fname = f"resize_{name}_{tw}x{th}_i{interp}.png"
                save(fname, out)
                manifest["files"].append(fname)
        for k in range(5):
            out = cv2.copyMakeBorder(img, 3, 5, 7, 2, k, value=(17, 17, 17))
            fname = f"border_{name}_t{k}.png"
            save(fname, out)
            manifest["files"].append(fname)
        nh, nw = (256 * h // w, 256) if h > w else (256, 256 * w // h)
        fname = f"resizeshort_{name}_256.png"
        save(fname, cv2.resize(img, (nw, nh), interpolation=cv2.INTER_CUBIC))
        manifest["files"].append(fname)
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


if __name__ == "__main__":
    main()
