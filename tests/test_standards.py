"""The standards shipped with the tests (tests/data/standards) and the one skip
path left: programs the machine may lack (tests/standards.py)."""

from __future__ import annotations

import hashlib

import pytest

from tests import standards

# As published (tests/data/standards/README.md): an edited copy would validate
# against something that is not the standard.
PUBLISHED = {
    "sarif-schema-2.1.0.json": (
        "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
    ),
    "junit-10.xsd": "62ca5a7bd8a6b8268818a64192bd8f94dbf38b63eb85a19c159deba08244f1fd",
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_each_standard_is_shipped_unchanged(name):
    data = standards.standard(name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == PUBLISHED[name]
    readme = (standards.STANDARDS / "README.md").read_text("utf-8")
    assert name in readme and PUBLISHED[name] in readme  # source and licence recorded


def test_the_standards_reject_what_they_should():
    # A validator that accepted anything would make every SARIF/JUnit test vacuous.
    with pytest.raises(AssertionError):
        standards.assert_valid_sarif({"version": "2.1.0", "runs": [{"tool": {}}]})
    import xmlschema

    with pytest.raises(xmlschema.XMLSchemaValidationError):
        standards.assert_valid_junit("<testsuite><bogus/></testsuite>")


def test_a_missing_standard_is_a_failure_never_a_skip(monkeypatch, tmp_path):
    monkeypatch.setattr(standards, "STANDARDS", tmp_path)
    monkeypatch.delenv("SPBE_REQUIRE_STANDARDS", raising=False)
    with pytest.raises(AssertionError, match="missing from the checkout"):
        standards.standard("sarif-schema-2.1.0.json")


def test_a_missing_program_fails_when_required_and_skips_otherwise(monkeypatch):
    absent = "spbe-lint-no-such-program"
    monkeypatch.setenv("SPBE_REQUIRE_STANDARDS", "1")
    with pytest.raises(pytest.fail.Exception, match="SPBE_REQUIRE_STANDARDS=1"):
        standards.program(absent)
    monkeypatch.setenv("SPBE_REQUIRE_STANDARDS", "0")
    with pytest.raises(pytest.skip.Exception, match=absent):
        standards.program(absent)
