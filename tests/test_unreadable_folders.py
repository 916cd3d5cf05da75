"""Issue 13, folders: what cannot be read is reported where it is, and the rest is
checked, through the installed ``spbe-lint`` with real permissions.

``chmod 000`` does not stop root, and tests run as root in CI. Rather than
pretend (tests/test_trust_input.py makes ``os.scandir`` raise), these run the
command in a process without the two capabilities that let root read what its
mode forbids (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, dropped from the bounding
set before exec, as ``setpriv --bounding-set`` does): the kernel then refuses
the folder as it would for anyone. As another user the mode alone does it.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import submission

SCRIPT = Path(sys.executable).with_name("spbe-lint")
_PR_CAPBSET_DROP = 24  # prctl(2)
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _drop_read_everything() -> None:
    """In the child, before exec: no capability to read past a file's mode."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _probe() -> str | None:
    """Why the real case cannot be made here, or None when it can."""
    if os.geteuid() != 0:
        return None
    try:
        subprocess.run(["true"], preexec_fn=_drop_read_everything, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"root cannot drop CAP_DAC_OVERRIDE here ({exc}): chmod does not stop it"
    return None


WHY_NOT = _probe()
real_permissions = pytest.mark.skipif(WHY_NOT is not None, reason=WHY_NOT or "")


def spbe(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    preexec: Callable[[], None] | None = None
    if os.geteuid() == 0:
        preexec = _drop_read_everything
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd,
        env={**os.environ, "SPBE_LINT_LANG": "en"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=preexec,
    )


@pytest.fixture
def apps(workdir: Path):
    """Three applications; the middle one's folder is locked (mode 000)."""
    for name in ("a", "terkunci", "c"):
        submission(workdir / "apps" / name)
    locked = workdir / "apps" / "terkunci"
    locked.chmod(0)
    yield workdir / "apps"
    locked.chmod(0o755)


@real_permissions
def test_an_unreadable_subfolder_is_reported_and_the_rest_checked(workdir, apps):
    result = spbe("check", "apps", "--format", "json", "--secrets", "skip", cwd=workdir)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        "apps/terkunci: error: this folder cannot be read (permission denied); "
        "manifests inside it were not checked\n"
    )
    report = json.loads(result.stdout)
    assert [i["path"] for i in report["inputs"]] == [
        "apps/a/spbe.yaml",
        "apps/c/spbe.yaml",
    ]


@real_permissions
def test_an_unreadable_manifest_is_named_and_its_neighbours_checked(workdir, apps):
    (apps / "terkunci").chmod(0o755)
    (apps / "terkunci" / "spbe.yaml").chmod(0)
    result = spbe("check", "apps", "--format", "json", "--secrets", "skip", cwd=workdir)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        "apps/terkunci/spbe.yaml: error: cannot read file: permission denied\n"
    )
    report = json.loads(result.stdout)
    assert [i["path"] for i in report["inputs"]] == [
        "apps/a/spbe.yaml",
        "apps/c/spbe.yaml",
    ]


@real_permissions
def test_an_unreadable_application_folder_does_not_abort_the_audit(workdir, apps):
    result = spbe("audit", "apps", "--csv", "audit.csv", cwd=workdir)
    assert result.returncode == 1, result.stderr
    records = [
        json.loads(line)
        for line in (workdir / "spbe-audit.jsonl").read_text("utf-8").splitlines()
    ]
    found = {r["app"]: r for r in records if r["kind"] == "application"}
    assert found["a"]["state"] == found["c"]["state"] == "checked"
    assert found["terkunci"]["state"] == "broken"
    assert found["terkunci"]["problem"]["message"]["en"] == (
        "the application folder cannot be read: permission denied"
    )
    assert "terkunci: apps/terkunci/spbe.yaml: the application folder cannot be " in (
        result.stderr
    )
    assert (workdir / "audit.csv").exists()
