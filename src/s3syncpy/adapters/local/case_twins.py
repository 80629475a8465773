"""Keys that a case-insensitive disk (NTFS, APFS by default) would take for one file: the first one wins.

`Readme` and `README` are two S3 keys but one file there: written in turn they overwrite each other, the listing
shows one spelling, and the other key looks missing on every run (and with `--delete`, a later delete of one
spelling removes the other's file). So, per directory, the names on disk and those this run has claimed are kept
under their fold (domain.local_names.fold_name): a key whose file or folder name folds like a different name
already there is refused, the existing one is left as it is, and nothing churns. A folder name counts too:
`docs/b` would land in an existing `Docs/`.

A directory's names are read once per run, the first time a key is written under it; only a case-insensitive
policy builds these tables (POSIX disks tell the spellings apart and pay nothing).
"""

from __future__ import annotations

import asyncio
import os
import unicodedata
from collections.abc import Sequence

from s3syncpy.adapters.local.temp_files import is_temp_name
from s3syncpy.domain.errors import UnsupportedLocalNameError
from s3syncpy.domain.local_names import LocalNamePolicy, fold_name, unstorable_message

_Folder = tuple[str, ...]


def _names_in(directory: str) -> list[str]:
    """The entry names of a directory (none when it is missing or unreadable: the write reports its own error)."""
    try:
        return [name for name in os.listdir(directory) if not is_temp_name(name)]
    except OSError:
        return []


class CaseTwins:
    """The names of the folders this run writes into, by fold; not thread-safe (used on the event loop)."""

    def __init__(self, root: str, policy: LocalNamePolicy) -> None:
        """Args:
            root: the target directory keys are relative to.
            policy: a case-insensitive policy (its fold decides which names are one).
        """
        self._root = root
        self._policy = policy
        # Per folder (its segments under the root): fold -> the spellings on disk or claimed in this run.
        self._folders: dict[_Folder, dict[str, set[str]]] = {}
        # The files this run has claimed, by folded path -> the key that claimed it.
        self._files: dict[tuple[str, ...], str] = {}

    async def claim(self, key: str, parts: Sequence[str], io_limit: asyncio.Semaphore) -> None:
        """Reserve the file (or, for a directory marker, the folder) `key` is about to be written to.

        Args:
            key: the key being written.
            parts: its path segments (key_to_relative_path_parts); empty ones name nothing.
            io_limit: bounds the threads that read folders.

        Raises:
            UnsupportedLocalNameError: a segment folds like a different name on disk or claimed in this run.
        """
        segments = [part for part in parts if part]
        for depth in range(len(segments)):
            folder = tuple(segments[:depth])
            if folder not in self._folders:
                async with io_limit:
                    names = await asyncio.to_thread(_names_in, os.path.join(self._root, *folder))
                table = self._folders.setdefault(folder, {})
                for name in names:
                    table.setdefault(fold_name(name, self._policy), set()).add(name)
        # Checked and claimed with no await in between, so two workers cannot both claim twins.
        folds = [fold_name(segment, self._policy) for segment in segments]
        for depth, segment in enumerate(segments):
            spellings = self._folders[tuple(segments[:depth])].get(folds[depth], set())
            others = spellings - {segment}
            if others:
                raise UnsupportedLocalNameError(self._message(key, segment, min(others)))
        for depth, segment in enumerate(segments):
            self._folders[tuple(segments[:depth])].setdefault(folds[depth], set()).add(segment)
        if not key.endswith("/"):
            self._files.setdefault(tuple(folds), key)

    def check_delete(self, key: str, parts: Sequence[str]) -> None:
        """Refuse to delete a file this run wrote under another spelling of the same name.

        On a case-insensitive disk, deleting `README` after writing `Readme` would remove the file just written.

        Raises:
            UnsupportedLocalNameError: the file's name folds like one this run wrote for a different key.
        """
        segments = [part for part in parts if part]
        writer = self._files.get(tuple(fold_name(segment, self._policy) for segment in segments))
        if writer is not None and [part for part in writer.split("/") if part] != segments:
            raise UnsupportedLocalNameError(
                f"the file of key {key} is the one this run wrote for key {writer} on a disk that does not tell "
                "case apart"
            )

    def _message(self, key: str, segment: str, existing: str) -> str:
        differs = "in case"
        if self._policy is LocalNamePolicy.MACOS and segment.casefold() != existing.casefold():
            same_text = unicodedata.normalize("NFD", segment) == unicodedata.normalize("NFD", existing)
            differs = "in Unicode normalisation" if same_text else "in case and Unicode normalisation"
        problem = f'"{segment}" differs only {differs} from "{existing}", which this disk does not tell apart'
        return unstorable_message(key, self._policy, problem)
