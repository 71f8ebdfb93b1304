#!/usr/bin/python3
"""Peer figure for BENCHMARKS.md: PyTorch DataLoader on the benchmark corpus, as issues 5 and 11 specify.

    apt-get install python3-torch python3-torchvision
    /usr/bin/python3 tools/bench_pytorch_loader.py /tmp/corpus [epochs=2] [--mode random-resized|resize-crop]

ImageFolder, batch 32, 2 workers, best of `epochs`, with one of two augmentations, each followed by
RandomHorizontalFlip + ToTensor + Normalize:
  random-resized (the default): RandomResizedCrop(224) (area 0.08-1, aspect 3/4-4/3);
  resize-crop: Resize(256) + RandomCrop(224), what ImageRecordIter does with resize=256, rand_crop.
"""
import argparse
import time

import torch
from torchvision import datasets, transforms

MODES = {
    "random-resized": ("RandomResizedCrop 224", lambda: [transforms.RandomResizedCrop(224)]),
    "resize-crop": ("Resize 256 + RandomCrop 224", lambda: [transforms.Resize(256), transforms.RandomCrop(224)]),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root")
    parser.add_argument("epochs", nargs="?", type=int, default=2)
    parser.add_argument("--mode", choices=sorted(MODES), default="random-resized")
    args = parser.parse_args()
    torch.set_num_threads(1)
    name, crop = MODES[args.mode]
    tf = transforms.Compose(crop() + [
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])
    data = datasets.ImageFolder(args.root, tf)
    loader = torch.utils.data.DataLoader(data, batch_size=32, shuffle=True, num_workers=2, persistent_workers=True)
    best = None
    for _ in range(args.epochs):
        start = time.perf_counter()
        n = 0
        for images, labels in loader:
            n += images.shape[0]
        rate = n / (time.perf_counter() - start)
        best = rate if best is None else max(best, rate)
    print(f"PyTorch {torch.__version__} DataLoader (2 workers, B=32, {name} + flip + ToTensor + Normalize): {best:.0f} img/s over {n} images")


if __name__ == "__main__":
    main()
