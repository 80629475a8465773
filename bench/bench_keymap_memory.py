"""Listing-map memory benchmark: MB per million target entries, with and without key names (reference §12).

The reference (s3sync) documents about 100 MB per million objects without --delete (SHA-1 keys) and 250 MB with
it (key strings). For each twin of our KeyMap, and for the naive Python dict the map replaces, a fresh child
process adds 1,000,000 synthetic listing entries (keys like "dir123/sub45/file678901.dat", quoted 32-hex ETags,
every tenth one multipart "-N"), and reports the resident-memory growth (from /proc/self/statm), the map's own
accounting (sys.getsizeof), and the time to add, look up every key, and (with names) diff against a second map
missing 1% of the keys (the --delete pass). Times are taken on a second map filled from entries generated
beforehand.

Run: PYTHONPATH=src /tmp/venv/bin/python bench/bench_keymap_memory.py [--entries 1000000]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

REFERENCE_MB = {False: 100.0, True: 250.0}
PAGE = os.sysconf("SC_PAGE_SIZE")


def entries(count: int, skip_every: int = 0) -> Iterator[tuple[str, int, int, str]]:
    """Synthetic listing entries, generated on the fly so only the map holds memory."""
    for number in range(count):
        if skip_every and number % skip_every == 0:
            continue
        e_tag = f"{(number * 0x9E3779B97F4A7C15) & ((1 << 128) - 1):032x}"
        if number % 10 == 0:
            e_tag += f"-{number % 50 + 1}"
        key = f"dir{number % 1000}/sub{(number // 1000) % 100}/file{number:06d}.dat"
        yield key, (number * 7919) % (64 << 20), 1_700_000_000 + number, f'"{e_tag}"'


class DictMap:
    """The naive map: a dict of tuples, keyed by the name or (like the reference) by its SHA-1."""

    def __init__(self, store_keys: bool) -> None:
        self.store_keys = store_keys
        self.items: dict[Any, tuple[int, int, str | None]] = {}

    def _id(self, key: str) -> Any:
        return key if self.store_keys else hashlib.sha1(key.encode(), usedforsecurity=False).digest()

    def add(self, key: str, size: int, mtime_secs: int, e_tag: str | None) -> None:
        self.items[self._id(key)] = (size, mtime_secs, e_tag)

    def get(self, key: str) -> tuple[int, int, str | None] | None:
        return self.items.get(self._id(key))

    def missing_from(self, other: DictMap) -> list[str]:
        return [key for key in self.items if key not in other.items]


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def child(twin: str, store_keys: bool, count: int) -> None:
    """Build one map in this process and print a JSON line."""
    if twin == "compiled":
        from s3syncpy._speedups._keymap import KeyMap
    elif twin == "pure":
        from s3syncpy._speedups._pure_keymap import KeyMap  # type: ignore[assignment]
    else:
        KeyMap = DictMap  # type: ignore[assignment,misc]
    # Memory: entries generated on the fly, so the map is the only thing that grows (a dict keeps the key
    # strings it is given, and that is counted too, as it would be behind a real listing).
    gc.collect()
    before = rss_bytes()
    keymap = KeyMap(store_keys)
    for entry in entries(count):
        keymap.add(*entry)
    gc.collect()
    grown = rss_bytes() - before
    accounted = sys.getsizeof(keymap) if twin != "dict" else 0
    del keymap
    gc.collect()
    # Time: a second map filled from entries made beforehand, so generating them is not timed.
    made = list(entries(count))
    keymap = KeyMap(store_keys)
    start = time.perf_counter()
    for entry in made:
        keymap.add(*entry)
    add_s = time.perf_counter() - start
    start = time.perf_counter()
    for key, *_ in made:
        keymap.get(key)
    get_s = time.perf_counter() - start
    diff_s = None
    if store_keys:
        source = KeyMap(store_keys)
        for number, entry in enumerate(made):
            if number % 100:
                source.add(*entry)
        start = time.perf_counter()
        missing = keymap.missing_from(source)
        diff_s = time.perf_counter() - start
        assert len(missing) == -(-count // 100)
    result = {
        "rss_mb": grown / 1e6,
        "sizeof_mb": accounted / 1e6,
        "add_s": add_s,
        "get_s": get_s,
        "diff_s": diff_s,
    }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=2, metavar=("TWIN", "STORE_KEYS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1] == "1", args.entries)
        return
    per_million = 1_000_000 / args.entries
    print(f"\n{args.entries:,} entries; MB = 10^6 bytes, scaled to one million entries\n")
    print("| map | key names | RSS MB/M | getsizeof MB/M | vs reference | add s/M | get s/M | diff s/M |")
    print("|---|---|---|---|---|---|---|---|")
    for store_keys in (False, True):
        for twin in ("compiled", "pure", "dict"):
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--entries",
                    str(args.entries),
                    "--child",
                    twin,
                    str(int(store_keys)),
                ],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
            )
            result = json.loads(done.stdout)
            rss = result["rss_mb"] * per_million
            sizeof = f"{result['sizeof_mb'] * per_million:.1f}" if twin != "dict" else "-"
            diff = f"{result['diff_s'] * per_million:.2f}" if result["diff_s"] is not None else "-"
            print(
                f"| {twin} | {'yes' if store_keys else 'no (SHA-1)'} | {rss:.1f} | {sizeof} | "
                f"{rss / REFERENCE_MB[store_keys]:.2f}x of {REFERENCE_MB[store_keys]:.0f} MB | "
                f"{result['add_s'] * per_million:.2f} | {result['get_s'] * per_million:.2f} | {diff} |"
            )


if __name__ == "__main__":
    main()
