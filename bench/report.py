"""The markdown report of the sync benchmark: best run per tool and phase, and our ratio to each peer.

Public API:
    pick_best(measurements, tools, phases) -> dict[(tool, phase), Measurement]   best passing run, else a failure
    format_table(best, header) -> str                                            markdown for stdout
    write_json(folder, header, runs, best, seconds) -> Path                      sync-<date>-<time>.json
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from sync_tools import OURS


class Measured(Protocol):
    """What the report reads of a measurement (bench_sync.Measurement)."""

    @property
    def tool(self) -> str: ...
    @property
    def phase(self) -> str: ...
    @property
    def ok(self) -> bool: ...
    @property
    def wall_seconds(self) -> float: ...
    @property
    def peak_rss_bytes(self) -> int: ...
    @property
    def cpu_seconds(self) -> float: ...
    @property
    def note(self) -> str: ...
    @property
    def objects_per_second(self) -> float: ...


def pick_best(
    measurements: Iterable[Measured], tools: list[str], phases: list[str]
) -> dict[tuple[str, str], Any]:
    """The fastest passing run of each (tool, phase); the last failure where none passed.

    Args:
        measurements: every reported run.
        tools: tool order for the report.
        phases: phase order for the report.

    Returns:
        (tool, phase) -> measurement, ordered by phase then tool; pairs never measured are left out.
    """
    runs = list(measurements)
    best: dict[tuple[str, str], Any] = {}
    for phase in phases:
        for tool in tools:
            mine = [m for m in runs if m.tool == tool and m.phase == phase]
            passed = [m for m in mine if m.ok]
            if passed:
                best[(tool, phase)] = max(passed, key=lambda m: m.objects_per_second)
            elif mine:
                best[(tool, phase)] = mine[-1]
    return best


def _status(m: Measured) -> str:
    # The table cell keeps the kind of failure ("failed (exit 2)", "incomplete", ...); details go below it.
    return m.note.split(":", 1)[0]


def _ratio(ours: Measured | None, peer: Measured) -> str:
    if peer.tool == OURS:
        return "—"
    if ours is None or not ours.ok or not peer.ok or peer.objects_per_second <= 0:
        return "n/a"
    return f"{ours.objects_per_second / peer.objects_per_second:.2f}x"


def format_table(best: Mapping[tuple[str, str], Measured], header: Mapping[str, Any]) -> str:
    """Render the results as markdown: a title line, the table, tool versions and settings, then notes.

    Args:
        best: from pick_best.
        header: files, size_bytes, repeat, cpus, python, server, versions, settings.

    Returns:
        The markdown text.
    """
    size = header["size_bytes"]
    size_text = f"{size // 1024} KiB" if size % 1024 == 0 else f"{size} B"
    lines = [
        (
            f"## Sync benchmark: {header['files']} files x {size_text}, best of {header['repeat']}, "
            f"{header['cpus']} CPUs (load average {header['load_average_before_after'][0]} before, "
            f"{header['load_average_before_after'][1]} after), Python {header['python']}, server {header['server']}"
        ),
        "",
        f"| phase | tool | objects/s | wall s | peak RSS MiB | CPU s | {OURS} ÷ tool |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    notes: list[str] = []
    for (tool, phase), m in best.items():
        ours = best.get((OURS, phase))
        if m.ok:
            cells = [
                f"{m.objects_per_second:.0f}",
                f"{m.wall_seconds:.2f}",
                f"{m.peak_rss_bytes / 2**20:.1f}",
                f"{m.cpu_seconds:.2f}",
            ]
        else:
            cells = [_status(m), "", "", ""]
        lines.append(f"| {phase} | {tool} | {' | '.join(cells)} | {_ratio(ours, m)} |")
        if m.note:
            detail = m.note.replace("\n", "\n    ")
            notes.append(f"- {'ours' if tool == OURS else tool} {phase}: {detail}")
    lines += [
        "",
        (
            "objects/s = files / wall time of the whole command (start-up included); peak RSS and CPU "
            "(user+sys) of the tool's process tree from wait4; ratio = our objects/s / the peer's."
        ),
        "",
    ]
    for tool, settings in header["settings"].items():
        lines.append(f"- {tool}: {header['versions'].get(tool, '?')} — {settings}")
    if notes:
        lines += ["", "Notes:", *notes]
    return "\n".join(lines)


def _row(m: Any) -> dict[str, Any]:
    return {**dataclasses.asdict(m), "objects_per_second": round(m.objects_per_second, 1)}


def write_json(
    folder: Path,
    header: Mapping[str, Any],
    runs: Iterable[Measured],
    best: Mapping[tuple[str, str], Measured],
    seconds: float,
) -> Path:
    """Write every run, the best ones and our ratios to folder/sync-<date>-<time>.json.

    Args:
        folder: where results go (bench/results/, created if missing).
        header: the run's settings, as for format_table.
        runs: every reported measurement (dataclass instances).
        best: from pick_best.
        seconds: how long the whole benchmark took.

    Returns:
        The file written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"sync-{time.strftime('%Y%m%d-%H%M%S')}.json"
    ours = {phase: m for (tool, phase), m in best.items() if tool == OURS}
    ratios = {
        f"{phase}/{tool}": round(ours[phase].objects_per_second / m.objects_per_second, 3)
        for (tool, phase), m in best.items()
        if tool != OURS and phase in ours and ours[phase].ok and m.ok and m.objects_per_second > 0
    }
    document = {
        **header,
        "benchmark_seconds": round(seconds, 1),
        "best": [_row(m) for m in best.values()],
        "ratios_ours_over_peer": ratios,
        "runs": [_row(m) for m in runs],
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path
