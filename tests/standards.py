"""The official schemas outputs are validated against, and golden files.

The SARIF schema and the JUnit XSD live in ../shared/standards (not copied into
the project; see its README). Without them a test skips with the reason; with
SPBE_REQUIRE_STANDARDS=1 (set by .ci/run) it fails instead, so CI can never
pass without having validated anything. The same holds for the programs the
HTML test needs (chromium, pdftotext).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

STANDARDS = ROOT.parent / "shared" / "standards"
GOLDEN = ROOT / "tests" / "data" / "golden"


def required() -> bool:
    return os.environ.get("SPBE_REQUIRE_STANDARDS") == "1"


def missing(what: str) -> None:
    """Skip, or fail when standards are required."""
    reason = f"{what} is not available"
    if required():
        pytest.fail(f"{reason}, and SPBE_REQUIRE_STANDARDS=1 requires it")
    pytest.skip(reason)


def standard(name: str) -> Path:
    path = STANDARDS / name
    if not path.is_file():
        missing(f"{path} (the official schema)")
    return path


@functools.cache
def _sarif_validator() -> Any:
    import jsonschema

    schema = json.loads((STANDARDS / "sarif-schema-2.1.0.json").read_text("utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def assert_valid_sarif(document: dict) -> None:
    standard("sarif-schema-2.1.0.json")
    errors = list(_sarif_validator().iter_errors(document))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


@functools.cache
def _junit_schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(STANDARDS / "junit-10.xsd"))


def assert_valid_junit(text: str) -> None:
    standard("junit-10.xsd")
    _junit_schema().validate(text)


def program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        missing(f"the program {name}")
    assert path is not None
    return path


def assert_golden(name: str, text: str) -> None:
    """Compare with tests/data/golden/NAME; SPBE_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if os.environ.get("SPBE_UPDATE_GOLDEN") == "1":
        path.write_text(text, "utf-8")
    assert path.is_file(), f"no golden file {path}; run with SPBE_UPDATE_GOLDEN=1"
    assert text == path.read_text("utf-8"), f"output differs from {path}"
