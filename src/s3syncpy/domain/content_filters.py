"""Filter steps 9-14 of the reference's order: Content-Type, user metadata and tags, after the source's GET/HEAD.

They run only on objects that passed the listing filters and the update check, because their values come from the
source object itself (the first GET, or a HEAD in dry-run) and, for tags, from a GetObjectTagging. Each step has its
reading of a missing value:

    step                                   missing value (no Content-Type / no or empty metadata / no tags)
    9  --filter-include-content-type-regex  excluded
    10 --filter-exclude-content-type-regex  kept
    11 --filter-include-metadata-regex      excluded
    12 --filter-exclude-metadata-regex      kept
    13 --filter-include-tag-regex           excluded
    14 --filter-exclude-tag-regex           kept

Metadata is matched in its serialised form `k1=urlenc(v1),k2=...` (keys sorted), tags as
`urlenc(k1)=urlenc(v1)&...` (keys sorted); regexes search unanchored, as the other regex filters do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from s3syncpy.domain.tagging import format_metadata, format_tags

if TYPE_CHECKING:
    # Only the pattern type is named here: `regex` costs start-up time and is imported where patterns are compiled.
    import regex

# The options of steps 9-10, which judge the Content-Type (11-12 judge the metadata).
CONTENT_TYPE_STEPS: frozenset[str] = frozenset(
    {"--filter-include-content-type-regex", "--filter-exclude-content-type-regex"}
)


@dataclass(frozen=True, slots=True)
class ContentFilterSettings:
    """Steps 9-14; None means the step is off."""

    include_content_type_regex: regex.Pattern[str] | None = None
    exclude_content_type_regex: regex.Pattern[str] | None = None
    include_metadata_regex: regex.Pattern[str] | None = None
    exclude_metadata_regex: regex.Pattern[str] | None = None
    include_tag_regex: regex.Pattern[str] | None = None
    exclude_tag_regex: regex.Pattern[str] | None = None

    @property
    def active(self) -> bool:
        """Some step is on (the syncer then inspects the source's first response)."""
        return any(pattern is not None for _, pattern in self._named())

    @property
    def needs_tags(self) -> bool:
        """A tag step is on: objects with tags cost one GetObjectTagging."""
        return self.include_tag_regex is not None or self.exclude_tag_regex is not None

    def source_s3_only(self) -> tuple[tuple[str, regex.Pattern[str] | None], ...]:
        """The steps that need an S3 source (metadata and tags), by option name."""
        return self._named()[2:]

    def _named(self) -> tuple[tuple[str, regex.Pattern[str] | None], ...]:
        return (
            ("--filter-include-content-type-regex", self.include_content_type_regex),
            ("--filter-exclude-content-type-regex", self.exclude_content_type_regex),
            ("--filter-include-metadata-regex", self.include_metadata_regex),
            ("--filter-exclude-metadata-regex", self.exclude_metadata_regex),
            ("--filter-include-tag-regex", self.include_tag_regex),
            ("--filter-exclude-tag-regex", self.exclude_tag_regex),
        )


def _include(pattern: regex.Pattern[str] | None, value: str | None) -> bool:
    if pattern is None:
        return True
    return value is not None and pattern.search(value) is not None


def _exclude(pattern: regex.Pattern[str] | None, value: str | None) -> bool:
    if pattern is None or value is None:
        return True
    return pattern.search(value) is None


def rejecting_header_step(settings: ContentFilterSettings, content_type: str | None,
                          user_metadata: Mapping[str, str]) -> str | None:
    """Steps 9-12: the option that drops the object, or None when it passes.

    Args:
        settings: the steps.
        content_type: the source's Content-Type (None: it has none).
        user_metadata: the source's user metadata (empty counts as missing).
    """
    metadata = format_metadata(user_metadata) if user_metadata else None
    checks = (
        ("--filter-include-content-type-regex", _include(settings.include_content_type_regex, content_type)),
        ("--filter-exclude-content-type-regex", _exclude(settings.exclude_content_type_regex, content_type)),
        ("--filter-include-metadata-regex", _include(settings.include_metadata_regex, metadata)),
        ("--filter-exclude-metadata-regex", _exclude(settings.exclude_metadata_regex, metadata)),
    )
    return next((option for option, keep in checks if not keep), None)


def rejecting_tag_step(settings: ContentFilterSettings, tags: Mapping[str, str] | None) -> str | None:
    """Steps 13-14: the option that drops the object, or None when it passes.

    Args:
        settings: the steps.
        tags: the source's tags; None when it has none (its tag count is 0, so they were not fetched).
    """
    formatted = format_tags(tags) if tags is not None else None
    if not _include(settings.include_tag_regex, formatted):
        return "--filter-include-tag-regex"
    if not _exclude(settings.exclude_tag_regex, formatted):
        return "--filter-exclude-tag-regex"
    return None
