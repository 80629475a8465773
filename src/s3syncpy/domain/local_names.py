"""Which S3 keys a local disk can hold as files under the same name: the rules of Windows and macOS disks.

S3 keys may be any UTF-8 text; a file name may not. Windows (NTFS, FAT, ReFS through the Win32 API) refuses
`<>:"|?*` and control characters (and reads `x:y` as a drive or an alternate data stream), opens a device for
`CON`, `NUL`, `COM1`... whatever the extension or case, and silently drops trailing dots and spaces, so `jpg.` is
stored as `jpg` and never matches its key again. NTFS and APFS (macOS) compare names without regard to case by
default, and APFS without regard to Unicode normalisation, so two keys that differ only so name one file and
overwrite each other on every run. macOS's POSIX layer otherwise stores any name as spelled.

A policy names the rule set; the local adapter applies it to downloads (chosen from the platform, settable for
tests). POSIX is the rule set of Linux and the other Unix disks: any name without "/" and NUL, case kept.
"""

from __future__ import annotations

import enum
import re
import unicodedata

from s3syncpy.domain.errors import ConfigError


class LocalNamePolicy(enum.Enum):
    """The file-name rules of the disk a local location lives on."""

    POSIX = "posix"
    WINDOWS = "windows"
    MACOS = "macos"

    @property
    def case_insensitive(self) -> bool:
        """Whether two names that differ only in case (or, on macOS, normalisation) name one file."""
        return self is not LocalNamePolicy.POSIX

    @property
    def label(self) -> str:
        """The system's name as a message shows it."""
        return _LABELS[self]


_LABELS = {LocalNamePolicy.POSIX: "POSIX", LocalNamePolicy.WINDOWS: "Windows", LocalNamePolicy.MACOS: "macOS"}

# Device names Windows reserves in every directory, with or without an extension (the part before the first dot,
# trailing spaces ignored, any case); the superscript digits are reserved too.
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{device}{digit}" for device in ("COM", "LPT") for digit in "0123456789\u00b9\u00b2\u00b3"}
)
_WINDOWS_FORBIDDEN_RE = re.compile(r'[\x00-\x1f<>:"|?*]')
# Windows takes "\\" as a separator too, so each part between backslashes is a name of its own.
_WINDOWS_SEPARATORS_RE = re.compile(r"[/\\]")


def policy_for_platform(os_name: str, platform: str) -> LocalNamePolicy:
    """The default policy of a platform (`os.name`, `sys.platform`): Windows' rules on Windows, macOS's on macOS.

    Case-sensitive APFS volumes and case-sensitive NTFS folders exist but are not the default; S3SYNCPY_PATH_POLICY
    chooses for them.
    """
    if os_name == "nt":
        return LocalNamePolicy.WINDOWS
    if platform == "darwin":
        return LocalNamePolicy.MACOS
    return LocalNamePolicy.POSIX


def parse_path_policy(value: str) -> LocalNamePolicy:
    """The policy named by S3SYNCPY_PATH_POLICY (windows, macos or posix, any case).

    Raises:
        ConfigError: any other value.
    """
    try:
        return LocalNamePolicy(value.strip().lower())
    except ValueError:
        names = ", ".join(policy.value for policy in LocalNamePolicy if policy is not LocalNamePolicy.POSIX)
        raise ConfigError(
            f"invalid S3SYNCPY_PATH_POLICY {value!r}: expected {names} or {LocalNamePolicy.POSIX.value}"
        ) from None


def name_problem(name: str, policy: LocalNamePolicy) -> str | None:
    """Why one file or directory name cannot be stored as spelled under `policy`, or None when it can.

    Args:
        name: one non-empty segment of a key.
        policy: the disk's rules.

    Returns:
        A short reason for a warning (`'":" is not allowed in a file name ...'`), None for a valid name.
    """
    if policy is not LocalNamePolicy.WINDOWS:
        return None
    forbidden = _WINDOWS_FORBIDDEN_RE.search(name)
    if forbidden is not None:
        char = forbidden.group()
        if char < " ":
            return f"the control character U+{ord(char):04X} is not allowed in a file name"
        if char == ":":
            return '":" is not allowed in a file name (Windows reads it as a drive or a stream)'
        return f"{_quoted(char)} is not allowed in a file name"
    stem = name.split(".", 1)[0]
    if stem.rstrip(" ").upper() in _WINDOWS_RESERVED:
        return f"{_quoted(stem)} is a device name Windows reserves"
    if name.endswith("."):
        return 'Windows drops a trailing "." from a file name'
    if name.endswith(" "):
        return "Windows drops a trailing space from a file name"
    return None


def key_name_problem(key: str, policy: LocalNamePolicy) -> str | None:
    """Why `key` cannot be written as a file under `policy` (the first segment's problem), or None.

    Empty segments (`/a`, `a//b`, a marker's trailing "/") name no file and pass; "." / ".." segments are the
    traversal guard's (domain.keys) and are checked before this.
    """
    if policy is not LocalNamePolicy.WINDOWS:
        return None
    for segment in _WINDOWS_SEPARATORS_RE.split(key):
        if segment:
            problem = name_problem(segment, policy)
            if problem is not None:
                return problem
    return None


def unstorable_message(key: str, policy: LocalNamePolicy, problem: str) -> str:
    """The warning for a key `policy`'s disk cannot hold as a file (the object is skipped).

    Args:
        key: the key.
        policy: the disk's rules.
        problem: why (name_problem, or the case twin it collides with).
    """
    return f"the key cannot be stored as a {policy.label} file: {problem}. key={key}"


def fold_name(name: str, policy: LocalNamePolicy) -> str:
    """The form under which `policy`'s disk compares names: two names with equal folds name one file.

    NTFS upper-cases each character on its own (so "ß" stays one letter, unlike "SS"); APFS folds case and Unicode
    normalisation (NFC and NFD spellings of "café" are one name). POSIX compares names as spelled.
    """
    if policy is LocalNamePolicy.WINDOWS:
        if name.isascii():
            return name.upper()
        return "".join(upper if len(upper := char.upper()) == 1 else char for char in name)
    if policy is LocalNamePolicy.MACOS:
        return unicodedata.normalize("NFD", unicodedata.normalize("NFD", name).casefold())
    return name


def _quoted(text: str) -> str:
    """Text in double quotes, a double quote escaped."""
    return '"' + text.replace('"', '\\"') + '"'
