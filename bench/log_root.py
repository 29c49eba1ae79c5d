#!/usr/bin/env python3
"""The RFC 6962 root of the entries given as hex lines on stdin (in log order), printed in
base64 with the count: an implementation independent of the registry's, for the crash scripts.
"""
import base64
import hashlib
import sys


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def main() -> None:
    # The right edge: (height, hash) of complete subtrees, largest first.
    edge = []
    count = 0
    for line in sys.stdin.read().splitlines():
        line = line.strip()
        h = hashlib.sha256(b"\x00" + bytes.fromhex(line)).digest()
        height = 0
        while edge and edge[-1][0] == height:
            _, left = edge.pop()
            h = node(left, h)
            height += 1
        edge.append((height, h))
        count += 1
    if not edge:
        root = hashlib.sha256(b"").digest()
    else:
        root = edge[-1][1]
        for _, left in reversed(edge[:-1]):
            root = node(left, root)
    print(count, base64.b64encode(root).decode())


if __name__ == "__main__":
    main()
