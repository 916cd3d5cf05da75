from __future__ import annotations

import pytest

from spbe_lint.checks import CheckContext, services
from spbe_lint.rulepack import load_pack

PROFILE = load_pack().profile
PARAMS = {"aplikasi_umum": PROFILE["aplikasi_umum"]}
CONTEXT = CheckContext(profile=PROFILE)


@pytest.mark.parametrize(
    ("manifest", "flagged"),
    [
        ({"app": {"functions": ["perizinan"]}}, []),
        ({"app": {"functions": ["perizinan", "pengaduan"]}}, [1]),
        (
            {
                "app": {"functions": ["pengaduan"]},
                "interop": {"integrations": [{"system": "SP4N-LAPOR!", "via": "splp"}]},
            },
            [],
        ),
        (
            {
                "app": {"functions": ["pengaduan"]},
                "interop": {"integrations": [{"system": "sp4n_lapor", "via": "splp"}]},
            },
            [],
        ),
        (
            {
                "app": {"functions": ["pengaduan"], "category": "aplikasi_sejenis"},
                "governance": {"similar_app_approval_ref": "B-77/2026"},
            },
            [],
        ),
        (  # "aplikasi sejenis" without the Minister's consideration
            {"app": {"functions": ["pengaduan"], "category": "aplikasi_sejenis"}},
            [0],
        ),
        (  # integrated with a different Aplikasi Umum
            {
                "app": {"functions": ["kearsipan_dinamis"]},
                "interop": {"integrations": [{"system": "sipd"}]},
            },
            [0],
        ),
        ({"app": {"functions": "pengaduan"}}, []),  # wrong type: MAN-005's job
    ],
)
def test_aplikasi_umum_overlap(manifest, flagged):
    found = list(services.aplikasi_umum(manifest, PARAMS, CONTEXT))
    assert [v.path[-1] for v in found] == flagged
