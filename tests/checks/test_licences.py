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
