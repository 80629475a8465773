"""The final summary line, character for character (reference §10)."""

from __future__ import annotations

import pytest

from s3syncpy.domain.stats import SyncStats, summary_line


def line(bytes_: str, rate: str, n: str, n_rate: str, tail: str, duration: str) -> str:
    return f"{bytes_} | {rate}/sec,  transferred {n} objects | {n_rate} objects/sec,  {tail},  duration {duration}"


ALL_VERIFIED_ONE = (
    "etag verified 1 objects,  checksum verified 1 objects,  deleted 0 objects,  skipped 0 objects,  "
    "error 0 objects, warning 0 objects"
)


@pytest.mark.parametrize(
    ("stats", "elapsed", "dry_run", "expected"),
    [
        pytest.param(
            SyncStats(
                transferred_bytes=30 * 1024 * 1024,
                transferred_objects=1,
                etag_verified=1,
                checksum_verified=1,
            ),
            1.335,
            False,
            line("30.00 MiB", "22.47 MiB", "  1", "0", ALL_VERIFIED_ONE, "1 second"),
            id="readme-30MiB-one-object",
        ),
        pytest.param(
            SyncStats(
                transferred_bytes=100_000 * 10 * 1024,
                transferred_objects=100_000,
                etag_verified=100_000,
                checksum_verified=100_000,
            ),
            23.2715,
            False,
            line(
                "976.56 MiB",
                "41.96 MiB",
                "100000",
                "4,297",
                "etag verified 100000 objects,  checksum verified 100000 objects,  deleted 0 objects,  "
                "skipped 0 objects,  error 0 objects, warning 0 objects",
                "23 seconds",
            ),
            id="readme-100k-small-objects",
        ),
        pytest.param(
            SyncStats(
                transferred_bytes=96 * 1024**3, transferred_objects=16, etag_verified=16, checksum_verified=16
            ),
            589.95,
            False,
            line(
                "96.00 GiB",
                "166.63 MiB",
                " 16",
                "0",
                "etag verified 16 objects,  checksum verified 16 objects,  deleted 0 objects,  skipped 0 objects,  "
                "error 0 objects, warning 0 objects",
                "10 minutes",
            ),
            id="readme-96GiB",
        ),
        pytest.param(
            SyncStats(
                transferred_bytes=2048, transferred_objects=2, deleted=3, skipped=4, errors=5, warnings=6
            ),
            0.25,
            False,
            line(
                "2.00 KiB",
                "2.00 KiB",
                "  2",
                "2",
                "etag verified 0 objects,  checksum verified 0 objects,  deleted 3 objects,  skipped 4 objects,  "
                "error 5 objects, warning 6 objects",
                "0 seconds",
            ),
            id="under-one-second-totals-are-rates",
        ),
        pytest.param(
            SyncStats(transferred_bytes=2048, transferred_objects=2),
            0.25,
            True,
            line(
                "2.00 KiB",
                "0 B",
                "  2",
                "0",
                "etag verified 0 objects,  checksum verified 0 objects,  deleted 0 objects,  skipped 0 objects,  "
                "error 0 objects, warning 0 objects",
                "0 seconds",
            ),
            id="dry-run-zero-rates",
        ),
        pytest.param(
            SyncStats(),
            3.0,
            False,
            line(
                "0 B",
                "0 B",
                "  0",
                "0",
                "etag verified 0 objects,  checksum verified 0 objects,  deleted 0 objects,  skipped 0 objects,  "
                "error 0 objects, warning 0 objects",
                "3 seconds",
            ),
            id="nothing-to-do",
        ),
    ],
)
def test_summary_line(stats: SyncStats, elapsed: float, dry_run: bool, expected: str) -> None:
    assert summary_line(stats, elapsed, dry_run) == expected
