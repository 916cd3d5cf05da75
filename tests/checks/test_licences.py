from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spbe_lint.checks import CheckContext, licences

CONTEXT = CheckContext(profile={})


@pytest.mark.parametrize(
    ("licence", "consideration", "kinds"),
    [
        ("GPL-3.0-only", None, []),
        ("Apache-2.0 OR MIT", None, []),
        ("mit", None, []),  # SPDX identifiers are case-insensitive
        ("EUPL-1.2", None, []),
        ("GPL v3", None, ["not-spdx"]),  # kept as written, flagged
        ("Apache 2.0", None, ["not-spdx"]),
        ("proprietary", None, ["not-spdx"]),
        ("LicenseRef-Proprietary-PT-Contoh", None, ["closed"]),
        ("LicenseRef-Proprietary-PT-Contoh", "B-123/MENKOMDIGI/2026", []),
        ("BUSL-1.1", None, ["closed"]),  # source-available is not open source
        ("CC-BY-NC-4.0", None, ["closed"]),
        ("", None, ["missing"]),
        # SPDX's "or later" operator on any listed id, not only GPL-2.0+.
        ("EUPL-1.2+", None, []),
        ("GPL-2.0+", None, []),
        ("Apache-2.0+ OR MIT", None, []),
        ("Foo-1.0+", None, ["not-spdx"]),
        ("LicenseRef-Vendor+", None, ["not-spdx"]),  # "+" follows a listed id only
        ("LicenseRef-", None, ["not-spdx"]),  # an idstring has a character at least
        # Not expressions at all: license-expression raises its own errors.
        ("Apache License, Version 2.0", None, ["not-spdx"]),
        ("MIT/X11", None, ["not-spdx"]),
        ("GPL 3.0; see LICENSE", None, ["not-spdx"]),
        ("MIT OR", None, ["not-spdx"]),
        ("(MIT", None, ["not-spdx"]),
        ("MIT WITH", None, ["not-spdx"]),
        ("GPL-2.0-only WITH MIT", None, ["not-spdx"]),
    ],
)
def test_licences(licence, consideration, kinds):
    manifest = {"handover": {"license": licence}}
    if consideration:
        manifest["governance"] = {"closed_source_consideration_ref": consideration}
    found = list(licences.spdx_licence(manifest, {}, CONTEXT))
    assert [v.kind for v in found] == kinds
    assert all(v.path == ("handover", "license") for v in found)


def test_an_analysed_licence_is_remembered_across_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("SPBE_LINT_CACHE_DIR", str(tmp_path))
    licences.analyse.cache_clear()
    assert licences.analyse("GPL-3.0-only OR LicenseRef-Vendor") == (
        "GPL-3.0-only OR LicenseRef-Vendor",
        ["LicenseRef-Vendor"],
        "",
    )
    assert len(list(tmp_path.glob("licence-*.json"))) == 1
    licences.analyse.cache_clear()  # a new process: only the file remains

    def fail(expression: str) -> None:
        raise AssertionError("analysed again instead of read from the cache")

    monkeypatch.setattr(licences, "_analyse", fail)
    assert licences.analyse("GPL-3.0-only OR LicenseRef-Vendor")[1] == [
        "LicenseRef-Vendor"
    ]
    licences.analyse.cache_clear()
    monkeypatch.setenv("SPBE_LINT_NO_CACHE", "1")
    monkeypatch.undo()  # the real analysis again, no cache
    licences.analyse.cache_clear()


@pytest.mark.parametrize(
    ("licence", "reason"),
    [
        ("MIT OR", "OR requires two or more licenses as in: MIT OR BSD"),
        ("(MIT", "Invalid expression"),
        ("proprietary", "Unknown license key(s): proprietary"),
        ("GPL 3.0; see LICENSE", "Invalid license key: the valid characters are:"),
    ],
)
def test_what_is_not_spdx_says_why_in_the_parsers_words(licence, reason):
    manifest = {"handover": {"license": licence}}
    (found,) = licences.spdx_licence(manifest, {}, CONTEXT)
    assert found.kind == "not-spdx"
    assert found.params["reason"].startswith(reason)


def test_or_later_is_kept_in_the_normalised_expression():
    assert licences._analyse("EUPL-1.2+ AND mit")[0] == "EUPL-1.2+ AND MIT"


# Any text at all, and text made of licence-expression words: the analysis
# answers (an expression, or a reason it is none), never raises.
_WORDS = st.sampled_from(
    [
        "MIT",
        "EUPL-1.2",
        "GPL-2.0",
        "LicenseRef-x",
        "AND",
        "OR",
        "WITH",
        "(",
        ")",
        "+",
        "Classpath-exception-2.0",
        "/",
        ",",
        ";",
        "Apache License",
        "v3",
    ]
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.one_of(st.text(max_size=40), st.lists(_WORDS, max_size=8).map(" ".join)))
def test_no_text_makes_the_licence_analysis_raise(text):
    normalised, closed, reason = licences._analyse(text)
    assert (normalised is None) == bool(reason)
    assert normalised is not None or not closed
