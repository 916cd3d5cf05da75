"""The pre-commit path starts fast without changing a verdict (issue 18).

Three things make a one-manifest check cheaper than it was, each tested here
through the real command in a fresh interpreter: the dataclass methods' code
read back from the cache folder (spbe_lint.classcode), the built rule pack read
back as an object (spbe_lint.cache.read_object), and modules a run does not use
left unimported.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "spbe.yaml"

# Run the real command in a fresh interpreter; report what it imported and what
# the class-code table would have added.
_PROBE = """
import json, sys
from spbe_lint import classcode
from spbe_lint.cli import main
try:
    main(sys.argv[2:])
except SystemExit as exc:
    status = exc.code
pending = classcode.pending()
classcode.save()
with open(sys.argv[1], "w") as out:
    json.dump({"status": status, "modules": sorted(sys.modules), "pending": pending}, out)
"""


def _run(tmp_path: Path, cache: Path, *args: str, **env: str) -> dict:
    report = tmp_path / "probe.json"
    environment = {k: v for k, v in os.environ.items() if k != "SPBE_LINT_NO_CACHE"}
    environment.update(SPBE_LINT_CACHE_DIR=str(cache), **env)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(report), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert report.exists(), done.stderr
    result = json.loads(report.read_text("utf-8"))
    result["stdout"] = done.stdout
    return result


def _python(script: str, cache: Path, *args: str) -> str:
    """Standard output of *script* in a fresh interpreter with its own cache."""
    env = {k: v for k, v in os.environ.items() if k != "SPBE_LINT_NO_CACHE"}
    env["SPBE_LINT_CACHE_DIR"] = str(cache)
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout


def test_the_second_run_compiles_no_dataclass_method_and_says_the_same(
    tmp_path: Path,
):
    cache = tmp_path / "cache"
    first = _run(tmp_path, cache, "check", "--secrets", "skip", str(EXAMPLE))
    assert first["pending"] > 100  # every class's methods, compiled and kept
    tables = list(cache.glob("classcode-*.marshal"))
    assert len(tables) == 1
    second = _run(tmp_path, cache, "check", "--secrets", "skip", str(EXAMPLE))
    assert second["pending"] == 0  # all read back
    assert second["stdout"] == first["stdout"]
    assert second["status"] == first["status"] == 0


def test_a_damaged_class_code_table_is_ignored_and_replaced(tmp_path: Path):
    cache = tmp_path / "cache"
    first = _run(tmp_path, cache, "check", "--secrets", "skip", str(EXAMPLE))
    (table,) = cache.glob("classcode-*.marshal")
    table.write_bytes(b"\x00not marshal data")
    second = _run(tmp_path, cache, "check", "--secrets", "skip", str(EXAMPLE))
    assert second["stdout"] == first["stdout"]
    assert second["pending"] > 100
    third = _run(tmp_path, cache, "check", "--secrets", "skip", str(EXAMPLE))
    assert third["pending"] == 0


def test_no_cache_means_no_class_code_table(tmp_path: Path):
    cache = tmp_path / "cache"
    result = _run(
        tmp_path,
        cache,
        "check",
        "--secrets",
        "skip",
        str(EXAMPLE),
        SPBE_LINT_NO_CACHE="1",
    )
    assert result["status"] == 0
    assert not list(cache.glob("classcode-*")) if cache.exists() else True


def test_classes_built_from_cached_code_behave_as_dataclasses(tmp_path: Path):
    """Frozen, equal by value, hashable, with their defaults and repr: the same
    class, whether its methods were compiled now or read back."""
    script = """
import dataclasses, json, sys
from spbe_lint import classcode
from spbe_lint.findings import Finding, Location, Span, Status
from spbe_lint.rule import Severity
span = Span(1, 2, 3, 4)
try:
    span.line = 9
    frozen = False
except dataclasses.FrozenInstanceError:
    frozen = True
print(json.dumps({
    "pending": classcode.pending(),
    "frozen": frozen,
    "equal": Span(1, 2, 3, 4) == span and hash(Span(1, 2, 3, 4)) == hash(span),
    "repr": repr(Location("a.yaml", "/x", span)),
    "defaults": Location("a.yaml").pointer == "" and Location("a.yaml").span is None,
}))
classcode.save()
"""
    runs = [json.loads(_python(script, tmp_path / "cache")) for _ in range(2)]
    assert runs[0]["pending"] > 0 and runs[1]["pending"] == 0
    for run in runs:
        assert run["frozen"] and run["equal"] and run["defaults"]
        assert run["repr"] == (
            "Location(path='a.yaml', pointer='/x', "
            "span=Span(line=1, column=2, end_line=3, end_column=4))"
        )


def test_other_packages_dataclasses_are_not_kept(tmp_path: Path):
    script = """
import dataclasses
from spbe_lint import classcode
@dataclasses.dataclass(frozen=True)
class Elsewhere:
    value: int
assert Elsewhere(1) == Elsewhere(1)
print(classcode.pending())
"""
    # Only spbe_lint's own classes (imported with classcode) are in the table:
    # a class of __main__ adds nothing.
    assert _python(script, tmp_path / "cache").strip() == "0"


# Modules the hook's run (`check --secrets skip` on a manifest) must not import:
# each is a cost the run does not need (what the run does need is its business).
NOT_ON_THE_HOOK_PATH = (
    "detect_secrets",
    "spbe_lint.evidence.secrets",
    "spbe_lint.evidence.detection",
    "spbe_lint.reporters.html",
    "spbe_lint.reporters.sarif",
    "jinja2",
    "requests",
    "jsonschema",
    "frictionless",
    "openapi_spec_validator",
    "identify.vendor.licenses",
    "subprocess",
    "difflib",
    # python-stdnum's and importlib.resources' module tops import these for
    # helpers the identifier checks never call (spbe_lint.deferred)
    "ssl",
    "pydoc",
    "tempfile",
    "shutil",
    "zipfile",
    "traceback",
    # email.utils' (jsonschema-rs reads its parsedate_to_datetime at start)
    "socket",
    "calendar",
    "random",
)
# Imported when a NIK or NPWP sample is checked, and by nothing else of ours on
# the hook path.
NOT_WITHOUT_IDENTIFIERS = ("stdnum", "importlib.resources")


def test_the_hook_path_leaves_unused_modules_unimported(tmp_path: Path):
    submission = tmp_path / "app"
    shutil.copytree(ROOT / "examples", submission)
    manifest = submission / "spbe.yaml"
    text = manifest.read_text("utf-8")
    assert ', samples: ["1571015203900001"]' in text
    plain = manifest.with_name("plain.yaml")
    plain.write_text(text.replace(', samples: ["1571015203900001"]', ""), "utf-8")
    cache = tmp_path / "cache"
    for target, unwanted in (
        (manifest, NOT_ON_THE_HOOK_PATH),
        (plain, NOT_ON_THE_HOOK_PATH + NOT_WITHOUT_IDENTIFIERS),
    ):
        _run(tmp_path, cache, "check", "--secrets", "skip", str(target))  # warm
        result = _run(tmp_path, cache, "check", "--secrets", "skip", str(target))
        imported = set(result["modules"])
        assert result["status"] == 0
        assert "spbe_lint.evidence.sbom" in imported  # the example's SBOM is judged
        assert sorted(imported & set(unwanted)) == []


class _Planted:
    """What a hostile cache entry would hold: unpickling it runs a command."""

    def __init__(self, target: str) -> None:
        self.target = target

    def __reduce__(self) -> tuple:
        return (os.system, (f"touch {self.target}",))


def test_the_built_pack_is_read_back_and_a_damaged_one_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from spbe_lint import cache, rulepack

    monkeypatch.setenv("SPBE_LINT_CACHE_DIR", str(tmp_path))
    cache.fingerprint.cache_clear()
    fresh = rulepack.load_pack()
    (entry,) = tmp_path.glob("pack-built-*.pickle")
    again = rulepack.load_pack()
    assert [r.id for r in again.rules] == [r.id for r in fresh.rules]
    assert again.sha256 == fresh.sha256 and again.profile == fresh.profile
    assert again.rules[0].title == fresh.rules[0].title
    entry.write_bytes(b"not a pickle")
    rebuilt = rulepack.load_pack()
    assert [r.id for r in rebuilt.rules] == [r.id for r in fresh.rules]
    # A planted entry is a miss, never code run (cache.restricted_loads).
    planted = tmp_path / "planted"
    entry.write_bytes(pickle.dumps(_Planted(str(planted))))
    again = rulepack.load_pack()
    assert not planted.exists()
    assert [r.id for r in again.rules] == [r.id for r in fresh.rules]
    # A pack with other profile values is another entry, not the same one.
    other = rulepack.load_pack(profile_overrides={"city": {"name": "Kota Lain"}})
    assert other.profile["city"]["name"] == "Kota Lain"
    assert len(list(tmp_path.glob("pack-built-*.pickle"))) == 2
    cache.fingerprint.cache_clear()


def test_a_changed_sbom_is_judged_again(tmp_path: Path):
    """The SBOM verdict is remembered by its bytes: an edit is judged afresh."""
    submission = tmp_path / "app"
    submission.mkdir()
    for item in (ROOT / "examples").iterdir():
        if item.is_file():
            (submission / item.name).write_bytes(item.read_bytes())
    manifest = submission / "spbe.yaml"
    text = EXAMPLE.read_text("utf-8")
    sbom_name = next(
        line.split(":", 1)[1].strip().strip("'\"")
        for line in text.splitlines()
        if line.strip().startswith("sbom:")
    )
    sbom = submission / sbom_name
    sbom.parent.mkdir(parents=True, exist_ok=True)
    source = ROOT / "examples" / sbom_name
    sbom.write_bytes(source.read_bytes())
    cache = tmp_path / "cache"
    args = ("check", "--secrets", "skip", "--format", "json", str(manifest))
    good = json.loads(_run(tmp_path, cache, *args)["stdout"])
    sbom.write_text('{"bomFormat": "CycloneDX", "specVersion": "9.9"}', "utf-8")
    bad = json.loads(_run(tmp_path, cache, *args)["stdout"])

    def verdict(report: dict) -> str:
        return next(f["status"] for f in report["findings"] if f["rule"] == "HAND-010")

    assert verdict(good) == "pass"
    assert verdict(bad) == "fail"


_GC_PROBE = """
import gc, json, sys
sys.argv = [sys.argv[1], *sys.argv[2:]]
import spbe_lint
after_import = gc.isenabled()
from spbe_lint.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps({"after_import": after_import, "after_run": gc.isenabled(),
                  "frozen": gc.get_freeze_count()}))
"""


@pytest.mark.parametrize(
    ("program", "args", "held"),
    [
        ("/venv/bin/spbe-lint", ("check", "--secrets", "skip", str(EXAMPLE)), True),
        ("/venv/bin/spbe-lint", ("rules", "list"), False),
        ("/usr/bin/python3", ("check", "--secrets", "skip", str(EXAMPLE)), False),
    ],
)
def test_the_collector_is_held_only_while_spbe_lint_check_starts(
    tmp_path: Path, program: str, args: tuple[str, ...], held: bool
):
    output = _python(_GC_PROBE, tmp_path / "cache", program, *args)
    state = json.loads(output.strip().splitlines()[-1])
    assert state["after_import"] is not held
    assert state["after_run"] is True  # a long run collects as usual
    assert (state["frozen"] > 0) is held  # start-up objects frozen, once judged
