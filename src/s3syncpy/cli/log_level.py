"""The verbosity levels of the command line (-v / -q), as the reference counts them."""

from __future__ import annotations

import enum


class LogLevel(enum.IntEnum):
    """Verbosity as the reference counts it: default WARN, -v INFO, -vv DEBUG, -vvv TRACE, -q ERROR, -qq OFF."""

    OFF = 0
    ERROR = 1
    WARN = 2
    INFO = 3
    DEBUG = 4
    TRACE = 5
