"""Object keys as local paths: the directory-traversal guard and the key -> path-segments mapping (the reference's path and key rules).

S3 keys are arbitrary strings; written under a local target directory, a key with a `..` segment would escape it.
The reference rejects any key with a segment made only of dots (optionally followed by spaces, which Windows strips,
turning `.. ` into `..`), splitting on both `/` and `\\` because either is a separator on Windows. Keys whose dots
are part of a name (`..jpg`, `jpg.`) are fine, and a leading `/` is harmless: it is stripped, so `/etc/passwd`
lands at `<target>/etc/passwd`.
"""

from __future__ import annotations

import re

from s3syncpy.domain.errors import DirectoryTraversalError

_SEPARATORS_RE = re.compile(r"[/\\]")
_DOTS_ONLY_RE = re.compile(r"\.+ *")


def is_traversal_key(key: str) -> bool:
    """Whether writing `key` under a directory could leave it (reference `check_directory_traversal`).

    Args:
        key: the object key relative to the source prefix.

    Returns:
        True when a non-empty segment (split on "/" and "\\") is only dots followed by optional spaces:
        `a/../b`, `./data2`, `.`, `...`, `.. ` are rejected; `..jpg`, `jpg.`, `/etc/passwd`, `a//b` are not.
    """
    return any(_DOTS_ONLY_RE.fullmatch(segment) for segment in _SEPARATORS_RE.split(key) if segment)


def ensure_safe_key(key: str) -> None:
    """Raise when `key` must not be written under a local directory.

    Raises:
        DirectoryTraversalError: `is_traversal_key(key)` is true.
    """
    if is_traversal_key(key):
        raise DirectoryTraversalError(f"a object references a parent directory. key={key}")


def key_to_relative_path_parts(key: str) -> list[str]:
    """The path segments under the target directory for `key` (reference `key_to_file_path`).

    Leading "/"s are stripped and the rest is split on "/" without any normalisation, like the reference's plain
    string concatenation: empty segments stay (`a//b` -> ["a", "", "b"], which the OS reads as `a/b`), and a
    directory-marker key keeps a trailing empty segment (`dir/` -> ["dir", ""]). Call `is_traversal_key` first.

    Args:
        key: the object key relative to the source prefix.

    Returns:
        The segments, to be joined with the OS separator under the target directory.
    """
    return key.lstrip("/").split("/")


def local_listing_key(key: str) -> str:
    """The key a local directory listing reports for the file `key` is written to.

    Writing joins the key's segments under the directory and the OS collapses empty ones, so `/a` lands at `a` and
    `a//b` at `a/b`; listing that directory then yields `a` and `a/b`. --delete compares the target listing with
    the source keys in this form, otherwise those files look target-only and are deleted after every download. A
    directory-marker key keeps its trailing "/" (a local listing never yields it, so it protects no file).

    Args:
        key: the object key relative to the source prefix.

    Returns:
        The "/"-joined non-empty segments (plus the trailing "/" of a marker); "" when nothing is left.
    """
    joined = "/".join(segment for segment in key.split("/") if segment)
    return joined + "/" if joined and key.endswith("/") else joined
