"""The cache cannot lie: every entry is keyed by what produced it, and the
folder does not grow without bound (issue 18)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from spbe_lint import cache
from spbe_lint.checks import licences

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SPBE_LINT_CACHE_DIR", str(tmp_path))
    cache.fingerprint.cache_clear()
    yield tmp_path
    cache.fingerprint.cache_clear()


@pytest.mark.parametrize("kind", sorted(cache.PRODUCERS))
def test_a_new_version_source_or_library_is_a_miss(
    kind: str, folder: Path, monkeypatch: pytest.MonkeyPatch
):
    cache.write("k", {"verdict": 1}, kind)
    assert cache.read("k", kind) == {"verdict": 1}
    assert cache.read("other", kind) is None

    monkeypatch.setattr(cache, "__version__", "99.0")
    cache.fingerprint.cache_clear()
    assert cache.read("k", kind) is None  # an upgrade of spbe-lint
    monkeypatch.undo()
    monkeypatch.setenv("SPBE_LINT_CACHE_DIR", str(folder))
    cache.fingerprint.cache_clear()
    assert cache.read("k", kind) == {"verdict": 1}

    modules, distributions = cache.PRODUCERS[kind]
    real_source = cache._source
    monkeypatch.setattr(
        cache,
        "_source",
        lambda package, module: (
            real_source(package, module)
            + (b"# edited" if module == modules[-1] else b"")
        ),
    )
    cache.fingerprint.cache_clear()
    assert cache.read("k", kind) is None  # the code that computes it changed
    monkeypatch.setattr(cache, "_source", real_source)

    real_installed = cache._installed
    monkeypatch.setattr(
        cache,
        "_installed",
        lambda name: real_installed(name) + ("+1" if name == distributions[0] else ""),
    )
    cache.fingerprint.cache_clear()
    assert cache.read("k", kind) is None  # a library it uses was upgraded


def test_every_producer_is_real_and_every_kind_used_is_registered():
    package = ROOT / "spbe_lint"
    for modules, distributions in cache.PRODUCERS.values():
        for module in modules:
            assert cache._source(package, module) != b"(missing)", module
        for name in distributions:
            assert cache._installed(name) != "(not installed)", name
    used = set()
    for path in package.rglob("*.py"):
        text = path.read_text("utf-8")
        used.update(re.findall(r"cache\.(?:read|write)\([^)]*kind=\"([\w-]+)\"", text))
        used.update(re.findall(r"_KIND = \"([\w-]+)\"", text))
    assert used, "no cache use found: the pattern above is out of date"
    assert used <= set(cache.PRODUCERS)


def test_a_licence_verdict_from_an_older_version_is_not_read_back(
    folder: Path, monkeypatch: pytest.MonkeyPatch
):
    # The case: MIT classified differently by an older spbe-lint (here a
    # doctored entry) must not survive an upgrade.
    licences.analyse.cache_clear()
    assert licences.analyse("MIT") == ("MIT", [], "")
    (entry,) = folder.glob("licence-*.json")
    entry.write_text('["MIT", ["MIT"], ""]', "utf-8")  # what the old code concluded
    licences.analyse.cache_clear()
    assert licences.analyse("MIT") == ("MIT", ["MIT"], "")  # the entry is used...
    monkeypatch.setattr(cache, "__version__", "99.0")
    cache.fingerprint.cache_clear()
    licences.analyse.cache_clear()
    assert licences.analyse("MIT") == ("MIT", [], "")  # ...and not after an upgrade
    licences.analyse.cache_clear()


def test_the_folder_is_pruned_oldest_first(folder: Path):
    for index in range(30):
        path = folder / f"pack-{index:02d}.json"
        path.write_text("x" * 100, "utf-8")
        os.utime(path, ns=(index * 10**9, index * 10**9))
    (folder / "unrelated.txt").write_text("kept", "utf-8")
    assert cache.prune(folder, max_bytes=10**9, max_entries=40) == 0
    removed = cache.prune(folder, max_bytes=10**9, max_entries=20)
    left = sorted(p.name for p in folder.glob("pack-*.json"))
    assert removed == 14 and len(left) == 16  # down to 80% of the bound
    assert left[0] == "pack-14.json" and left[-1] == "pack-29.json"
    assert (folder / "unrelated.txt").exists()
    cache.prune(folder, max_bytes=500, max_entries=100)
    assert len(list(folder.glob("pack-*.json"))) == 4  # 400 bytes <= 80% of 500


def test_a_read_refreshes_an_entry_and_a_write_prunes(
    folder: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(cache, "_pruned", set())
    monkeypatch.setattr(cache, "MAX_ENTRIES", 5)
    for index in range(5):
        cache.write(f"k{index}", index, "licence")
    for path in folder.glob("*.json"):
        os.utime(path, ns=(0, 0))
    assert cache.read("k0", "licence") == 0  # used now: the newest
    monkeypatch.setattr(cache, "_pruned", set())
    cache.write("k5", 5, "licence")  # 6 entries > 5: pruned to 4
    assert len(list(folder.glob("*.json"))) == 4
    assert cache.read("k0", "licence") == 0
    assert cache.read("k5", "licence") == 5


@pytest.mark.parametrize(
    ("setting", "kept"),
    [("12", 9), ("1e1", 8), ("many", 25), ("-3", 25), ("0", 25), ("nan", 25)],
)
def test_the_entry_bound_is_set_from_the_environment(
    folder: Path, monkeypatch: pytest.MonkeyPatch, setting: str, kept: int
):
    """SPBE_LINT_CACHE_MAX_ENTRIES (an audit shard of more applications than
    the default bound keeps their results); a value that is not a positive
    number is the default, never a run that fails or a cache emptied."""
    monkeypatch.setenv("SPBE_LINT_CACHE_MAX_ENTRIES", setting)
    monkeypatch.setattr(cache, "MAX_ENTRIES", 30)  # the default, here
    for index in range(25):
        path = folder / f"pack-{index:02d}.json"
        path.write_text("x", "utf-8")
        os.utime(path, ns=(index * 10**9, index * 10**9))
    cache.prune(folder)
    left = sorted(p.name for p in folder.glob("pack-*.json"))
    assert len(left) == kept  # past the bound: down to 80% of it
    assert left[-1] == "pack-24.json"
