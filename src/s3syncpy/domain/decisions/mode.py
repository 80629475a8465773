"""The update-check options of one run: which rule compares a source object with its target (the reference's update check).

The rule and the flags around it (--remove-modified-filter, --head-each-target, which sides are local,
--auto-chunksize) decide which of the two layers run; see the package docstring for the layers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from s3syncpy.domain.direction import Direction


class UpdateRule(enum.Enum):
    """Which attribute decides that an existing target object is stale."""

    MTIME = "mtime"  # default: source second strictly newer than the target second
    SIZE = "size"  # --check-size
    ETAG = "etag"  # --check-etag
    MTIME_AND_ETAG = "mtime-and-etag"  # --check-mtime-and-etag
    CHECKSUM = "checksum"  # --check-additional-checksum ALG
    MTIME_AND_CHECKSUM = "mtime-and-checksum"  # --check-mtime-and-additional-checksum ALG

    @property
    def option(self) -> str:
        """The command-line option that selects the rule ("" for the default)."""
        return _OPTIONS[self]


_OPTIONS = {
    UpdateRule.MTIME: "",
    UpdateRule.SIZE: "--check-size",
    UpdateRule.ETAG: "--check-etag",
    UpdateRule.MTIME_AND_ETAG: "--check-mtime-and-etag",
    UpdateRule.CHECKSUM: "--check-additional-checksum",
    UpdateRule.MTIME_AND_CHECKSUM: "--check-mtime-and-additional-checksum",
}


def chosen_rules(
    *,
    check_size: bool = False,
    check_etag: bool = False,
    check_mtime_and_etag: bool = False,
    check_checksum: bool = False,
    check_mtime_and_checksum: bool = False,
) -> list[UpdateRule]:
    """The rules the flags ask for, in the reference's order (more than one is a conflict for the caller)."""
    return [
        rule
        for rule, on in (
            (UpdateRule.SIZE, check_size),
            (UpdateRule.ETAG, check_etag),
            (UpdateRule.MTIME_AND_ETAG, check_mtime_and_etag),
            (UpdateRule.CHECKSUM, check_checksum),
            (UpdateRule.MTIME_AND_CHECKSUM, check_mtime_and_checksum),
        )
        if on
    ]


@dataclass(frozen=True, slots=True)
class UpdateMode:
    """The update-check options of one run.

    Attributes:
        rule: the comparison rule.
        remove_modified_filter: --remove-modified-filter (no layer A).
        head_each_target: --head-each-target (adds layer B for S3 targets).
        source_is_local / target_is_local: which sides are local directories.
        auto_chunksize: --auto-chunksize (with the ETag rule, the comparison moves to layer B).
    """

    rule: UpdateRule = UpdateRule.MTIME
    remove_modified_filter: bool = False
    head_each_target: bool = False
    source_is_local: bool = False
    target_is_local: bool = False
    auto_chunksize: bool = False

    @classmethod
    def from_options(
        cls,
        *,
        check_size: bool,
        check_etag: bool,
        remove_modified_filter: bool,
        head_each_target: bool,
        direction: Direction,
        check_mtime_and_etag: bool = False,
        check_checksum: bool = False,
        check_mtime_and_checksum: bool = False,
        auto_chunksize: bool = False,
    ) -> UpdateMode:
        """Build the mode from the CLI flags.

        Raises:
            ValueError: more than one rule at once (SyncConfig.validate rejects it first).
        """
        rules = chosen_rules(
            check_size=check_size,
            check_etag=check_etag,
            check_mtime_and_etag=check_mtime_and_etag,
            check_checksum=check_checksum,
            check_mtime_and_checksum=check_mtime_and_checksum,
        )
        if len(rules) > 1:
            raise ValueError(f"update-check rules {rules[0].value} and {rules[1].value} cannot be combined")
        rule = rules[0] if rules else UpdateRule.MTIME
        return cls(
            rule, remove_modified_filter, head_each_target, direction.from_local, direction.to_local, auto_chunksize
        )

    @property
    def compares_listed_etags(self) -> bool:
        """Layer A compares ETags (--check-etag without --auto-chunksize): a local side hashes while listing."""
        return self.rule is UpdateRule.ETAG and not self.auto_chunksize

    @property
    def lists_target(self) -> bool:
        """Whether layer A runs, i.e. the target listing map is needed for the update check."""
        return not self.remove_modified_filter
