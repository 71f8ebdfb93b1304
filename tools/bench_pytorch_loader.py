#!/usr/bin/python3
"""Peer figure for BENCHMARKS.md: PyTorch DataLoader on the benchmark corpus, as issue 5 specifies.

    apt-get install python3-torch python3-torchvision
    /usr/bin/python3 tools/bench_pytorch_loader.py /tmp/corpus [epochs=2]

ImageFolder, RandomResizedCrop 224 + RandomHorizontalFlip + ToTensor + Normalize, batch 32, 2 workers.
"""
import sys
import time

import torch
from torchvision import datasets, transforms


def main():
    root = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    torch.set_num_threads(1)
    tf = transforms.Compose([
        transforms.RandomResizedCrop(224),
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])
    data = datasets.ImageFolder(root, tf)
    loader = torch.utils.data.DataLoader(data, batch_size=32, shuffle=True, num_workers=2, persistent_workers=True)
    best = None
    for _ in range(epochs):
        start = time.perf_counter()
        n = 0
        for images, labels in loader:
            n += images.shape[0]
        rate = n / (time.perf_counter() - start)
        best = rate if best is None else max(best, rate)
    print(f"PyTorch {torch.__version__} DataLoader (2 workers, B=32, RandomResizedCrop 224 + flip + ToTensor + Normalize): {best:.0f} img/s over {n} images")


if __name__ == "__main__":
    main()
