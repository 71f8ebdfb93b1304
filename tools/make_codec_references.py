#!/usr/bin/python3
"""Codec fixtures and OpenCV's decodes of them, as SHA-256 hashes (Pipeline.Tests/TestData/codecs).

    apt-get install python3-opencv python3-pil     # Debian 12: OpenCV 4.6.0 (libjpeg-turbo 2.1.5, libpng 1.6.39), Pillow 9.4
    /usr/bin/python3 tools/make_codec_references.py

1. Writes small fixtures into Pipeline.Tests/TestData/codecs/: PNG colour types and bit depths (gray, gray+alpha,
   palette with and without tRNS, gray with a tRNS key, RGB with gAMA/tEXt/zTXt chunks, RGBA, 1-bit, Adam7
   interlaced, 16-bit), JPEGs OpenCV decodes differently from the common case (CMYK, progressive, 4:4:4, 4:2:2, an odd
   size for scaled decoding, EXIF orientations 1-8), a BMP, a two-frame GIF, and files of unsupported formats.
2. Writes decode-references.json: for every JPEG and PNG under data/photos, Pipeline.Tests/TestData and the fixtures,
   the shape and SHA-256 of the pixel buffer (rows, RGB order, no padding) OpenCV decodes:
     color      cv2.imdecode(buf, IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION)      (BGR reversed to RGB)
     gray       cv2.imdecode(buf, IMREAD_GRAYSCALE | IMREAD_IGNORE_ORIENTATION)
     unchanged  cv2.imdecode(buf, IMREAD_UNCHANGED)                              (PNG; BGRA reversed to RGBA)
     reduced2/4/8  cv2.imdecode(buf, IMREAD_REDUCED_COLOR_k | IMREAD_IGNORE_ORIENTATION)   (JPEG)
     oriented   cv2.imdecode(buf, IMREAD_COLOR)                                  (JPEG: EXIF orientation applied)
   16-bit PNGs have no hashes: OpenCV's 8-bit decodes are saved as <name>.expected-<mode>.png (BGR on disk, so a PNG
   decoder reads them back as RGB) for a comparison within one level (two for gray).
   The GIF's reference is Pillow's first frame (OpenCV 4.6 has no GIF decoder).
   jpeg-encode: SHA-256 of cv2.imencode('.jpg', ...) of cups_rgb.png read as colour and as gray, at qualities 95 and 50.
"""
import hashlib
import io
import json
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Pipeline.Tests" / "TestData" / "codecs"
SOURCES = [ROOT / "data" / "photos", ROOT / "Pipeline.Tests" / "TestData"]
IGNORE = cv2.IMREAD_IGNORE_ORIENTATION


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def insert_chunks(png, chunks):
    """Puts chunks right after IHDR."""
    return png[:33] + b"".join(chunks) + png[33:]


def adam7_png(rgb):
    """An interlaced 8-bit RGB PNG (Pillow and OpenCV write only non-interlaced ones)."""
    h, w, _ = rgb.shape
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = b""
    for x0, y0, dx, dy in passes:
        sub = rgb[y0::dy, x0::dx]
        if sub.size == 0:
            continue
        raw += b"".join(b"\x00" + row.tobytes() for row in sub)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def pil_bytes(image, fmt, **kw):
    b = io.BytesIO()
    image.save(b, fmt, **kw)
    return b.getvalue()


def write_fixtures():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20240611)
    # A smooth image with sharp colour edges: random blocks over gradients.
    yy, xx = np.mgrid[0:45, 0:67]
    base = np.dstack([(xx * 3) % 256, (yy * 5) % 256, ((xx + yy) * 2) % 256]).astype(np.uint8)
    base[10:30, 20:40] = rng.integers(0, 256, 3, dtype=np.uint8)
    rgb = base
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    alpha = ((xx * 4) % 256).astype(np.uint8)
    files = {}
    files["png_gray.png"] = pil_bytes(Image.fromarray(gray), "PNG")
    files["png_gray_alpha.png"] = pil_bytes(Image.fromarray(np.dstack([gray, alpha]), "LA"), "PNG")
    files["png_palette.png"] = pil_bytes(Image.fromarray(rgb).quantize(64), "PNG")
    files["png_palette_trns.png"] = pil_bytes(Image.fromarray(rgb).quantize(64), "PNG", transparency=5)
    files["png_gray_trns.png"] = pil_bytes(Image.fromarray(gray), "PNG", transparency=int(gray[0, 0]))
    files["png_rgba.png"] = pil_bytes(Image.fromarray(np.dstack([rgb, alpha]), "RGBA"), "PNG")
    files["png_1bit.png"] = pil_bytes(Image.fromarray(gray > 128), "PNG")
    files["png_interlaced.png"] = adam7_png(rgb)
    # Linear gamma, a text chunk and a compressed one: OpenCV ignores all three.
    plain = pil_bytes(Image.fromarray(rgb), "PNG")
    files["png_rgb_gamma_text.png"] = insert_chunks(plain, [
        chunk(b"gAMA", struct.pack(">I", 100000)),
        chunk(b"tEXt", b"Comment\x00made by tools/make_codec_references.py"),
        chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"compressed text " * 64)),
    ])
    _, png16 = cv2.imencode(".png", (cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR).astype(np.uint16) * 257 + rng.integers(0, 257, rgb.shape)).astype(np.uint16))
    files["png16_rgb.png"] = png16.tobytes()
    _, png16g = cv2.imencode(".png", (gray.astype(np.uint16) * 257 + 100).astype(np.uint16))
    files["png16_gray.png"] = png16g.tobytes()

    photo = Image.fromarray(rgb)
    files["jpeg_cmyk.jpg"] = pil_bytes(photo.convert("CMYK"), "JPEG", quality=90)
    files["jpeg_progressive.jpg"] = pil_bytes(photo, "JPEG", quality=85, progressive=True)
    files["jpeg_444.jpg"] = pil_bytes(photo, "JPEG", quality=90, subsampling=0)
    files["jpeg_422.jpg"] = pil_bytes(photo, "JPEG", quality=90, subsampling=1)
    # An odd size: scaled decodes round up (TJSCALED).
    odd = cv2.resize(rgb, (67 * 3 + 2, 45 * 3 + 1), interpolation=cv2.INTER_CUBIC)
    _, oddjpg = cv2.imencode(".jpg", cv2.cvtColor(odd, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 92])
    files["jpeg_odd_203x136.jpg"] = oddjpg.tobytes()
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        files[f"jpeg_orientation{orientation}.jpg"] = pil_bytes(photo, "JPEG", quality=90, exif=exif.tobytes())

    _, bmp = cv2.imencode(".bmp", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    files["bmp_rgb.bmp"] = bmp.tobytes()
    frames = [Image.fromarray(rgb).quantize(32), Image.fromarray(255 - rgb).quantize(32)]
    files["gif_two_frames.gif"] = pil_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)

    small = cv2.cvtColor(rgb[:8, :8], cv2.COLOR_RGB2BGR)
    for ext in ["tiff", "webp", "ppm", "pgm"]:
        img = small if ext != "pgm" else cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
        ok, data = cv2.imencode("." + ext, img)
        assert ok, ext
        files[f"unsupported.{ext}"] = data.tobytes()
    files["unsupported.tga"] = pil_bytes(Image.fromarray(rgb[:8, :8]), "TGA")
    for name, data in files.items():
        (OUT / name).write_bytes(data)


def digest(pixels):
    return {"shape": list(pixels.shape) if pixels.ndim == 3 else list(pixels.shape) + [1],
            "sha256": hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest()}


def to_rgb(img):
    if img.ndim == 3 and img.shape[2] == 3:
        return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    if img.ndim == 3 and img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2RGBA)
    return img


def references():
    result = {}
    paths = sorted({p for src in SOURCES for p in src.rglob("*")
                    if p.suffix.lower() in (".jpg", ".jpeg", ".png") and ".expected-" not in p.name})
    for path in paths:
        rel = path.relative_to(ROOT).as_posix()
        buf = np.frombuffer(path.read_bytes(), np.uint8)
        modes = {"color": cv2.IMREAD_COLOR | IGNORE, "gray": cv2.IMREAD_GRAYSCALE | IGNORE}
        if path.suffix.lower() == ".png":
            modes["unchanged"] = cv2.IMREAD_UNCHANGED
        else:
            modes.update({"reduced2": cv2.IMREAD_REDUCED_COLOR_2 | IGNORE, "reduced4": cv2.IMREAD_REDUCED_COLOR_4 | IGNORE,
                          "reduced8": cv2.IMREAD_REDUCED_COLOR_8 | IGNORE, "oriented": cv2.IMREAD_COLOR})
        entry = {}
        sixteen = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED).dtype == np.uint16
        for mode, flags in modes.items():
            img = cv2.imdecode(buf, flags)
            assert img is not None, (rel, mode)
            if sixteen:
                # OpenCV keeps the high byte (and makes gray at 16 bits); libpng's reduction rounds: compare within a level or two.
                expected = path.with_name(f"{path.stem}.expected-{mode}.png")
                cv2.imwrite(str(expected), (img >> 8).astype(np.uint8) if img.dtype == np.uint16 else img)
                entry[mode] = {"expected": expected.relative_to(ROOT).as_posix(), "tolerance": 2 if mode == "gray" else 1}
                continue
            entry[mode] = digest(to_rgb(img))
        result[rel] = entry

    gif = Image.open(OUT / "gif_two_frames.gif")
    gif.seek(0)
    result["Pipeline.Tests/TestData/codecs/gif_two_frames.gif"] = {"color": digest(np.asarray(gif.convert("RGB")))}
    bmp = cv2.imdecode(np.frombuffer((OUT / "bmp_rgb.bmp").read_bytes(), np.uint8), cv2.IMREAD_COLOR)
    result["Pipeline.Tests/TestData/codecs/bmp_rgb.bmp"] = {"color": digest(to_rgb(bmp))}

    cups = str(ROOT / "data" / "photos" / "objects" / "cups_rgb.png")
    encodes = {}
    for quality in (95, 50):
        for name, img in (("color", cv2.imread(cups, cv2.IMREAD_COLOR)), ("gray", cv2.imread(cups, cv2.IMREAD_GRAYSCALE))):
            ok, data = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
            encodes[f"{name}-q{quality}"] = hashlib.sha256(data.tobytes()).hexdigest()
    return result, encodes


def main():
    write_fixtures()
    decodes, encodes = references()
    # One line per file keeps the diff of a regenerated file readable.
    lines = [f'  {json.dumps(name)}: {json.dumps(entry, sort_keys=True)}' for name, entry in sorted(decodes.items())]
    text = ("{\n" + f' "opencv": {json.dumps(cv2.__version__)},\n "jpeg-encode-source": "data/photos/objects/cups_rgb.png",\n'
            + f' "jpeg-encode": {json.dumps(encodes, sort_keys=True)},\n "decodes": {{\n' + ",\n".join(lines) + "\n }\n}\n")
    json.loads(text)
    (OUT / "decode-references.json").write_text(text)


if __name__ == "__main__":
    main()
