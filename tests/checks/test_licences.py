from __future__ import annotations

import pytest

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
