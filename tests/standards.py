"""The official schemas outputs are validated against, and golden files.

The SARIF schema and the JUnit XSD are shipped with the tests, unchanged, in
tests/data/standards (its README says where each comes from and its licence), so
every SARIF and JUnit document is validated on any machine: there is no skip.

The programs the HTML test needs (chromium, pdftotext) are the machine's: without
them that test skips with the reason; with SPBE_REQUIRE_STANDARDS=1 (set by
.ci/run) it fails instead, so CI can never pass without having printed the report.
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

STANDARDS = ROOT / "tests" / "data" / "standards"
GOLDEN = ROOT / "tests" / "data" / "golden"


def required() -> bool:
    return os.environ.get("SPBE_REQUIRE_STANDARDS") == "1"


def missing(what: str) -> None:
    """Skip, or fail when SPBE_REQUIRE_STANDARDS=1 (CI)."""
    reason = f"{what} is not available"
    if required():
        pytest.fail(f"{reason}, and SPBE_REQUIRE_STANDARDS=1 requires it")
    pytest.skip(reason)


def standard(name: str) -> Path:
    """A shipped standard; its absence is a broken checkout, never a skip."""
    path = STANDARDS / name
    assert path.is_file(), f"{path} (the official schema) is missing from the checkout"
    return path


@functools.cache
def _sarif_validator() -> Any:
    import jsonschema

    schema = json.loads(standard("sarif-schema-2.1.0.json").read_text("utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def assert_valid_sarif(document: dict) -> None:
    errors = list(_sarif_validator().iter_errors(document))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


@functools.cache
def _junit_schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(standard("junit-10.xsd")))


def assert_valid_junit(text: str) -> None:
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
