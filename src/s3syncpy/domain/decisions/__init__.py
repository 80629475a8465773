"""Update checks: is an object already on the target up to date? (the reference's update check, README, Differences 6)

An object is transferred only if it passes both layers:

* Layer A, `listing_says_modified`: compares the source listing entry with the target listing map. Present unless
  --remove-modified-filter (the target is then not listed for this purpose at all).
* Layer B, `head_check_required` then `head_says_modified`: a HEAD of the target object (a stat of a local file)
  and a diff detector. For a local target, with --head-each-target, and for the rules that need a HEAD
  (--check-etag with --auto-chunksize, --check-mtime-and-etag, and both checksum rules).

The --check-mtime-and-* rules are AND rules: layer A keeps only objects whose source second is newer, then layer B
transfers only those whose ETag / checksum also differs (touching a file without changing it transfers nothing).

The rules live in three modules: `mode` (the run's UpdateRule / UpdateMode), `listing` (layer A) and `head`
(layer B: whether it runs, its detector and its decision). Callers import from those modules.

How the pipeline uses it::

    mode = UpdateMode.from_options(check_size=..., check_etag=..., remove_modified_filter=...,
                                   head_each_target=..., source_is_local=..., target_is_local=...)
    target_map = {obj.key: TargetEntry.of(obj) for obj in target_listing}      # only if mode.lists_target
    if mode.lists_target and not listing_says_modified(src, target_map.get(src.key), mode):
        skip (stat SyncSkip, event SYNC_FILTERED)
    elif head_check_required(mode):
        details = await target.head_object(key)                               # None on 404
        enc = (await source.head_object(key)).encryption if needs_source_encryption(src, details, mode) else None
        decision = head_says_modified(src, details, mode, source_encryption=enc)
        if decision.warning: stat SyncWarning + warning flag, log decision.reason.value
        transfer iff decision.transfer

With the ETag rule a local side's ETag is not listed by anything: the caller computes it (threshold/chunk rule of
`etag.py`, or the S3 side's part sizes under --auto-chunksize) into `ObjectInfo.e_tag` of the local source entry,
of the local target entry, or of the local target's HEAD details. A missing ETag counts as "modified" (a copy too
many rather than a silently stale object). With the checksum rules the caller likewise passes both values
(`source_checksum`, `target_checksum`), a local side's computed as `checksums.py` says.
"""
