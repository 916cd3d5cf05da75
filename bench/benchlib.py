"""What the benches share: the anchors at their fastest, said out loud.

Each bench runs from a normal install (``pip install '.[bench]'``; the checkout
supplies only the example files and the test servers, never the package), and
prints which spbe-lint ran (where from, which version), which anchors ran with
their versions, and whether check-jsonschema parsed YAML with ruamel.yaml's C
loader (``ruamel.yaml.clib``: a user who cares about speed has it; without it
check-jsonschema is about 2x slower, and a ratio against it flatters spbe-lint).
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

# Run as users run: with bytecode caches. PYTHONDONTWRITEBYTECODE (set in some
# CI and sandbox shells) makes an editable checkout compile every module on
# every run, a third of a one-manifest check, and is no user's configuration.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EXAMPLE = ROOT / "examples" / "spbe.yaml"
SCHEMA = ROOT / "schemas" / "manifest.schema.json"
DISTRIBUTIONS = (
    "spbe-lint",
    "check-jsonschema",
    "yamllint",
    "ruamel.yaml",
    "ruamel.yaml.clib",
    "PyYAML",
    "jsonschema",
    "jsonschema-rs",
)


def require(*tools: str) -> None:
    """Exit with the install line when a tool is missing beside this Python."""
    missing = [tool for tool in tools if not (BIN / tool).exists()]
    if missing:
        sys.exit(
            f"not installed beside {sys.executable}: {', '.join(missing)}; "
            "pip install '.[bench]'"
        )


def version(distribution: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def clib_used() -> bool:
    """Whether check-jsonschema's YAML loader (ruamel.yaml, typ=safe, not pure)
    gets the C parser in this environment."""
    try:
        import ruamel.yaml
    except ImportError:
        return False
    return "clib" in ruamel.yaml.YAML(typ="safe", pure=False).Parser.__module__


def describe() -> dict[str, Any]:
    """Print and return what runs: Python, spbe-lint's origin, anchor versions."""
    import spbe_lint

    origin = Path(spbe_lint.__file__).resolve().parent
    editable = ROOT in origin.parents or origin == ROOT / "spbe_lint"
    found = {name: version(name) for name in DISTRIBUTIONS}
    facts = {
        "python": sys.version.split()[0],
        "spbe_lint_from": str(origin),
        "editable": editable,
        "versions": found,
        "ruamel_yaml_clib_used": clib_used(),
        "cpus": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
    }
    print(
        f"python {facts['python']}; spbe-lint {found['spbe-lint']} from {origin}"
        + (" (editable checkout)" if editable else " (installed)")
        + f"; {facts['cpus']} CPUs"
    )
    print(
        "anchors: "
        + ", ".join(f"{n} {v}" for n, v in found.items() if n != "spbe-lint")
    )
    print(
        "check-jsonschema YAML loader: "
        + (
            "C (ruamel.yaml.clib)"
            if facts["ruamel_yaml_clib_used"]
            else "pure Python (ruamel.yaml.clib missing: the anchor is slowed)"
        )
    )
    return facts


def load_test_module(name: str) -> ModuleType:
    """A helper module of the checkout's tests (the probe's test servers) by file,
    without putting the checkout on sys.path (it would shadow the installed
    package with the source tree, which has no ``spbe_lint.rules``)."""
    path = ROOT / "tests" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"spbe_bench_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def probe_fixtures() -> tuple[Any, Any, Any, Any, Any]:
    """The probe tests' servers (tests/probe_servers.py) for the probe benches:
    GOOD_HEADERS, Reply, Server, json_reply, tls_context."""
    servers = load_test_module("probe_servers")
    return (
        servers.GOOD_HEADERS,
        servers.Reply,
        servers.Server,
        servers.json_reply,
        servers.tls_context,
    )


def instructions(command: Sequence[str], cwd: Path) -> int | None:
    """Instructions one whole process executes (valgrind's callgrind), or None
    without valgrind. Unlike seconds, the count does not drift with what else the
    machine runs: the same binary, inputs and environment give the same count."""
    import shutil

    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    done = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    found = [line for line in done.stderr.splitlines() if "Collected :" in line]
    return int(found[-1].rsplit(":", 1)[1]) if found else None


def counted(
    label: str, ours: Sequence[str], anchor: Sequence[str], cwd: Path, anchor_name: str
) -> dict[str, Any] | None:
    """Print and return the instruction counts of both commands and their ratio."""
    mine, theirs = instructions(ours, cwd), instructions(anchor, cwd)
    if mine is None or theirs is None:
        print(f"{label}: instruction counts skipped (valgrind not installed)")
        return None
    ratio = mine / theirs
    print(
        f"{label}: {mine / 1e6:.0f}M instructions, {anchor_name} "
        f"{theirs / 1e6:.0f}M; ratio {ratio:.2f} (callgrind, repeatable)"
    )
    return {"spbe_lint": mine, anchor_name: theirs, "ratio": ratio}


def timed(
    command: Sequence[str], cwd: Path, allowed: tuple[int, ...] = (0, 1)
) -> float:
    start = time.perf_counter()
    done = subprocess.run(list(command), cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in allowed:
        sys.exit(f"{command[0]} exited {done.returncode}: {done.stderr.decode()[:500]}")
    return elapsed


def peak_rss_mib(command: Sequence[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, peak resident memory in MiB) of *command*: the child's own
    resource usage (wait4), nothing else counted."""

    start = time.perf_counter()
    process = subprocess.Popen(
        list(command), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = process.stderr.read().decode() if process.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{command[0]} exited {code}: {stderr[-500:]}")
    return elapsed, usage.ru_maxrss / 1024


def interleaved(
    name: str,
    ours: Callable[[], float],
    theirs: Callable[[], float],
    rounds: int,
    anchor: str,
) -> dict[str, Any]:
    """Run both *rounds* times, alternating (a loaded machine's drift hits
    both), after one warm-up each; print the medians, their ratio and the range
    of the per-round ratios."""
    ours()
    theirs()
    mine: list[float] = []
    other: list[float] = []
    for _ in range(rounds):
        mine.append(ours())
        other.append(theirs())
    ratios = sorted(a / b for a, b in zip(mine, other, strict=True))
    median_ratio = statistics.median(mine) / statistics.median(other)
    print(
        f"{name:<42} spbe-lint {statistics.median(mine):7.3f} s   "
        f"{anchor} {statistics.median(other):7.3f} s   ratio {median_ratio:5.2f} "
        f"(rounds {ratios[0]:.2f}-{ratios[-1]:.2f})"
    )
    return {
        "case": name,
        "anchor": anchor,
        "spbe_lint_seconds": mine,
        "anchor_seconds": other,
        "ratio_of_medians": median_ratio,
        "round_ratios": ratios,
    }
