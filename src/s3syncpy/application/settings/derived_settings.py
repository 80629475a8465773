"""Settings the reference derives from others before a run starts, decided once for the whole run.

* `--point-in-time` forces `--remove-modified-filter`: the target is neither listed nor compared (a local target
  is always overwritten; `--check-additional-checksum` still HEADs and compares).
* Express One Zone (a directory bucket, name ending in `--x-s3`): no Content-MD5 header and no ETag
  verification there (its ETags are not MD5 digests); a directory-bucket target gets CRC64NVME as its additional
  checksum and a directory-bucket source is read with its checksums, unless
  `--disable-express-one-zone-additional-checksum`.
* Parallel listing (`--max-parallel-listings`, `--max-parallel-listing-max-depth`) is off with
  `--max-parallel-listings 1`, and when the source or the target is a directory bucket (a parallel listing there
  may include multipart uploads in progress) unless `--allow-parallel-listings-in-express-one-zone`. Version
  listings are never parallel, and a single-file source has nothing to fan out.
"""

from __future__ import annotations

from dataclasses import replace

from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.domain.express_one_zone import is_express_one_zone
from s3syncpy.domain.model import ChecksumAlgorithm


def effective_config(config: SyncConfig) -> SyncConfig:
    """`config` with the derived settings applied (idempotent)."""
    if config.versioning.point_in_time_ms is not None and not config.update_check.remove_modified_filter:
        config = replace(config, update_check=replace(config.update_check, remove_modified_filter=True))
    source_eoz = is_express_one_zone(config.source_location)
    target_eoz = is_express_one_zone(config.target_location)
    if not (source_eoz or target_eoz):
        return config
    verification = replace(config.verification, disable_etag_verify=True)
    if target_eoz:
        verification = replace(verification, disable_content_md5_header=True)
    if not verification.disable_express_one_zone_additional_checksum:
        if target_eoz and verification.additional_checksum_algorithm is None:
            verification = replace(verification, additional_checksum_algorithm=ChecksumAlgorithm.CRC64NVME)
        if source_eoz and not config.direction.from_local:
            verification = replace(verification, enable_additional_checksum=True)
    return replace(config, verification=verification)


def listing_parallelism(config: SyncConfig) -> tuple[int, int]:
    """(listings in flight at once, depth of the fan-out) for this run's object listings; (1, 0) is serial."""
    listing = config.listing
    express = is_express_one_zone(config.source_location) or is_express_one_zone(config.target_location)
    if listing.max_parallel_listings <= 1 or (express and not listing.allow_parallel_listings_in_express_one_zone):
        return 1, 0
    return listing.max_parallel_listings, listing.max_parallel_listing_max_depth
