"""Which tags an object written to an S3 target carries (reference: "Tagging to write").

    --disable-tagging                  none
    --tagging "k=v&k2=v2"              that string, as given
    otherwise                          the source's tags (GetObjectTagging), fetched only when the source's GET or HEAD
                                       reported a tag count above 0; encoded `urlenc(k)=urlenc(v)` joined by "&" in
                                       the source's order
"""

from __future__ import annotations

from s3syncpy.application.ports.storage import ObjectStorage
from s3syncpy.application.settings.write_settings import TaggingSettings
from s3syncpy.domain.model import ObjectDetails, ObjectInfo
from s3syncpy.domain.tagging import encode_tagging


def copies_source_tags(settings: TaggingSettings) -> bool:
    """The written object carries the source's own tags (neither --tagging nor --disable-tagging)."""
    return settings.tagging is None and not settings.disable_tagging


async def tagging_to_write(
    settings: TaggingSettings, source: ObjectStorage, obj: ObjectInfo, details: ObjectDetails
) -> str | None:
    """The x-amz-tagging value for the written object, or None for no tags.

    Raises:
        StorageError: GetObjectTagging failed (ObjectNotFoundError / AccessDeniedError are skips of the object).
    """
    if settings.disable_tagging:
        return None
    if settings.tagging is not None:
        return settings.tagging
    if details.tag_count <= 0 or not source.features.supports_tagging:
        return None
    tags = await source.get_object_tagging(obj.key, version_id=obj.version_id)
    return encode_tagging(tags) if tags else None
