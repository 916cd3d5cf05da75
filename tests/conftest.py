"""Shared fixtures. Network access is blocked for every test (pytest-socket,
configured in pyproject.toml); only Unix sockets are allowed."""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme
import yaml

from spbe_lint import cache, engine, pointers, resources, schema
from spbe_lint.cli import main
from tests.probe_servers import City

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
COMPLIANT = EXAMPLES / "spbe.yaml"


def pytest_configure(config: pytest.Config) -> None:
    # A cache of validated rule packs private to this test run (inherited by the
    # processes tests start), so tests never read or write the user's cache.
    os.environ["SPBE_LINT_CACHE_DIR"] = tempfile.mkdtemp(prefix="spbe-lint-cache-")
    os.environ.pop("SPBE_LINT_NO_CACHE", None)
    # Reports carry a timestamp and manifests are judged as of a day (the default of
    # --as-of): a fixed one keeps outputs comparable byte for byte and keeps "no
    # older than 12 months" checks on the examples from rotting.
    os.environ["SOURCE_DATE_EPOCH"] = "1795824000"  # 2026-11-28T00:00:00Z


def pytest_unconfigure(config: pytest.Config) -> None:
    # The run's private cache goes with the run (a folder per run piled up in /tmp).
    folder = Path(os.environ.get("SPBE_LINT_CACHE_DIR", ""))
    if folder.name.startswith("spbe-lint-cache-"):
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class Result:
    status: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        data = json.loads(self.stdout)
        if "report_version" in data:
            assert_valid_report(data)  # every JSON report a test sees is validated
        return data


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run the real entry point (``spbe_lint.cli.main``) in-process."""

    def invoke(*args: str) -> Result:
        with pytest.raises(SystemExit) as exit_info:
            main(list(args))
        out, err = capsys.readouterr()
        return Result(int(exit_info.value.code or 0), out, err)

    return invoke


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder that is its own repository root (no config above)."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SPBE_LINT_LANG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    # Text wraps to the terminal: the same 80 columns whatever runs the tests.
    monkeypatch.setenv("COLUMNS", "80")
    return tmp_path


@pytest.fixture
def compliant(workdir: Path) -> Path:
    """The compliant example copied to ``spbe.yaml`` in the working folder (a git
    repository), with the documents it names: a complete submission."""
    return submission(workdir)


def submission(folder: Path) -> Path:
    """The compliant example as ``folder/spbe.yaml`` with every document it names
    (placeholders, except the evidence spbe-lint reads: the example's SBOM) and
    its LICENSE."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "spbe.yaml"
    shutil.copy(COMPLIANT, target)
    shutil.copy(EXAMPLES / "LICENSE", folder / "LICENSE")
    for name in referenced_documents(target):
        write_document(folder, name, "dokumen contoh / example document\n")
    return target


def write_document(folder: Path, name: str, placeholder: str) -> None:
    """A document the example names, under *folder*: dataset evidence (schemas,
    samples, metadata) and the SBOM are judged, so they are the example's real
    files; any other document only has to be there, so a placeholder will do."""
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    judged = name.startswith(("docs/data/", "docs/api/")) or name.endswith(
        (".cdx.json", ".spdx.json")
    )
    if judged and (EXAMPLES / name).is_file():
        shutil.copy(EXAMPLES / name, target)
    else:
        target.write_text(placeholder, "utf-8")


def referenced_documents(manifest: Path) -> list[str]:
    """The relative document paths a manifest names (``$defs/docref`` fields)."""
    data = yaml.safe_load(manifest.read_text("utf-8"))
    return [
        node
        for selector in schema.document_selectors()
        for _, node in pointers.select(data, selector)
        if isinstance(node, str) and not node.startswith(("https://", "http://"))
    ]


def edit(path: Path, old: str, new: str) -> Path:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


def assert_valid_report(report: dict) -> None:
    """Every JSON report the tests see is validated against the shipped schema."""
    validator = schema.compile_schema(resources.schema("report"))
    errors = sorted(validator.iter_errors(report), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


# ---- the probe's loopback city (tests/probe_servers.py) ---------------------


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name the test forgot to map must fail, never reach a DNS server."""
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            socket.inet_pton(
                socket.AF_INET6 if ":" in str(host) else socket.AF_INET, host
            )
        except (OSError, TypeError):
            raise socket.gaierror(f"test: no DNS for {host}") from None
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def city(ca: trustme.CA, ca_file: str) -> Iterator[City]:
    town = City(ca, ca_file)
    yield town
    town.close()


@pytest.fixture
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> Path:
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("SPBE_LINT_CACHE_DIR", str(folder))
    cache.fingerprint.cache_clear()
    yield folder
    cache.fingerprint.cache_clear()


class Judged:
    """The manifests the engine judges, in this process and in forked worker
    processes alike (a reused application is not judged)."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def __call__(self) -> list[str]:
        if not self.log.exists():
            return []
        return sorted(self.log.read_text("utf-8").split())

    def clear(self) -> None:
        self.log.unlink(missing_ok=True)


@pytest.fixture
def checked(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> Judged:
    judged = Judged(tmp_path_factory.mktemp("judged") / "log")
    real = engine.evaluate

    def spy(document, *args, **kwargs):
        with judged.log.open("a", encoding="utf-8") as stream:
            stream.write(Path(document.path).parent.name + "\n")
        return real(document, *args, **kwargs)

    monkeypatch.setattr(engine, "evaluate", spy)
    return judged
