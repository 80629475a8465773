"""--help lists every option of the reference's "All command line options" (its `s3sync -h`)."""

from __future__ import annotations

import re

import pytest

from s3syncpy.cli.main import run

# Every option the reference's help lists, in its order (copied from its README's "All command line options").
REFERENCE_OPTIONS: tuple[str, ...] = (
    "--verbose", "--quiet", "--help", "--version", "--dry-run", "--show-no-progress", "--server-side-copy",
    "--aws-config-file", "--aws-shared-credentials-file", "--source-profile", "--source-access-key",
    "--source-secret-access-key", "--source-session-token", "--target-profile", "--target-access-key",
    "--target-secret-access-key", "--target-session-token", "--source-region", "--source-endpoint-url",
    "--source-accelerate", "--source-request-payer", "--source-force-path-style", "--target-region",
    "--target-endpoint-url", "--target-accelerate", "--target-request-payer", "--target-force-path-style",
    "--storage-class", "--filter-mtime-before", "--filter-mtime-after", "--filter-smaller-size",
    "--filter-larger-size", "--filter-include-regex", "--filter-exclude-regex",
    "--filter-include-content-type-regex", "--filter-exclude-content-type-regex", "--filter-include-metadata-regex",
    "--filter-exclude-metadata-regex", "--filter-include-tag-regex", "--filter-exclude-tag-regex",
    "--remove-modified-filter", "--check-size", "--check-etag", "--check-mtime-and-etag",
    "--check-additional-checksum", "--check-mtime-and-additional-checksum", "--additional-checksum-algorithm",
    "--full-object-checksum", "--enable-additional-checksum", "--disable-multipart-verify", "--disable-etag-verify",
    "--disable-additional-checksum-verify", "--worker-size", "--max-parallel-uploads", "--max-parallel-listings",
    "--max-parallel-listing-max-depth", "--object-listing-queue-size",
    "--allow-parallel-listings-in-express-one-zone", "--rate-limit-objects", "--rate-limit-bandwidth",
    "--multipart-threshold", "--multipart-chunksize", "--auto-chunksize", "--cache-control", "--content-disposition",
    "--content-encoding", "--content-language", "--content-type", "--expires", "--metadata", "--website-redirect",
    "--no-sync-system-metadata", "--no-sync-user-defined-metadata", "--tagging", "--disable-tagging",
    "--sync-latest-tagging", "--head-each-target", "--enable-versioning", "--point-in-time", "--sse",
    "--sse-kms-key-id", "--source-sse-c", "--source-sse-c-key", "--source-sse-c-key-md5", "--target-sse-c",
    "--target-sse-c-key", "--target-sse-c-key-md5", "--report-sync-status", "--report-metadata-sync-status",
    "--report-tagging-sync-status", "--json-tracing", "--aws-sdk-tracing", "--span-events-tracing",
    "--disable-color-tracing", "--aws-max-attempts", "--initial-backoff-milliseconds", "--force-retry-count",
    "--force-retry-interval-milliseconds", "--operation-timeout-milliseconds",
    "--operation-attempt-timeout-milliseconds", "--connect-timeout-milliseconds", "--read-timeout-milliseconds",
    "--warn-as-error", "--ignore-symlinks", "--acl", "--no-guess-mime-type", "--max-keys",
    "--put-last-modified-metadata", "--auto-complete-shell", "--disable-stalled-stream-protection",
    "--disable-payload-signing", "--disable-content-md5-header", "--disable-express-one-zone-additional-checksum",
    "--delete-excluded", "--if-match", "--copy-source-if-match", "--if-none-match", "--max-delete",
    "--ignore-glacier-warnings", "--preprocess-callback-lua-script", "--event-callback-lua-script",
    "--filter-callback-lua-script", "--allow-lua-os-library", "--lua-vm-memory-limit", "--allow-lua-unsafe-vm",
    "--delete",
)

def _listed(capsys: pytest.CaptureFixture[str]) -> set[str]:
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    # Option names at the start of a help entry (`  -v, --verbose...`, `  --worker-size <WORKER_SIZE>`).
    return set(re.findall(r"^\s+(?:-[a-zA-Z], )?(--[a-z][a-z0-9-]+)", out, re.MULTILINE))


def test_help_lists_every_reference_option(capsys: pytest.CaptureFixture[str]) -> None:
    listed = _listed(capsys)
    missing = [option for option in REFERENCE_OPTIONS if option not in listed]
    assert missing == []
