"""spbe-lint's line loop finds exactly what detect-secrets' own loop finds
(issue 18): the same secrets, kinds, lines and order, on every secret fixture,
lines its filters drop, and the whole example submission."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from detect_secrets.core import scan as ds_scan
from detect_secrets.transformers import get_transformed_file

from spbe_lint.evidence import detection, lines
from tests.test_secrets import APP_KEY, AWS_SECRET, DB_PASSWORD, JWT, SECRET_FILES

ROOT = Path(__file__).resolve().parent.parent

# Lines detect-secrets' filters and plugins treat in particular ways.
TRICKY = {
    "allowlisted.py": f'password = "{DB_PASSWORD}"  # pragma: allowlist secret\n'
    f'token = "{AWS_SECRET}"\n',
    "templated.yaml": "db:\n  password: ${DB_PASSWORD}\n  secret: '{{ vault }}'\n"
    "  api_key: <your-key-here>\n  token: $TOKEN\n",
    "ids.js": 'const id = "6fa459ea-ee8a-3ca4-894e-db77e160355e";\n'
    'const seq = "abcdefghijklmnopqrstuvwxyz0123456789";\n'
    f'const key = "{APP_KEY}";\n'
    "const ref = process.env.SECRET_KEY;\n",
    "digests.yaml": "rev: 0123456789abcdef0123456789abcdef01234567\n"
    "checksum: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
    "password_hash: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n",
    "settings.ini": f"[db]\npassword = {DB_PASSWORD}\nhost = 10.0.0.1\n",
    "token.env": f"JWT={JWT}\nSECRET_KEY='{AWS_SECRET}'\nEMPTY=\n",
    "empty.txt": "",
    # A value read from elsewhere (detect-secrets' indirect-reference filter).
    "indirect.cfg": "password = get_secret_value(name)\n"
    "secret_key = os.environ['SECRET_KEY_VALUE']\n",
}


def corpus() -> dict[str, str]:
    files = {**SECRET_FILES, **TRICKY}
    for path in sorted((ROOT / "examples").rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".json", ".md", ".csv", ""):
            text = path.read_text("utf-8", errors="replace")
            files[path.relative_to(ROOT).as_posix()] = text
    return files


def found(scan, path: str, text: str) -> list[tuple]:
    handle = detection._Named(text, path)
    readings = [get_transformed_file(handle) or io.StringIO(text).readlines()]
    handle.seek(0)
    readings.append(get_transformed_file(handle, use_eager_transformers=True) or [])
    return [
        (s.filename, s.type, s.secret_hash, s.line_number, s.is_verified)
        for reading in readings
        for s in scan(list(enumerate(reading, 1)), path)
    ]


@pytest.mark.parametrize("allowlist", [True, False])
@pytest.mark.parametrize(
    "plugins", [None, ({"name": "KeywordDetector"}, {"name": "AWSKeyDetector"})]
)
def test_the_same_secrets_as_detect_secrets_own_loop(allowlist, plugins):
    files = corpus()
    assert len(files) > 30
    total = 0
    with detection.settings(plugins, allowlist=allowlist):
        ours = lines.scanner()
        assert ours != ds_scan._process_line_based_plugins  # the version is known
        for path, text in files.items():
            expected = found(ds_scan._process_line_based_plugins, path, text)
            assert found(ours, path, text) == expected, path
            total += len(expected)
    assert total > 5  # the corpus holds secrets these settings find


def test_another_detect_secrets_version_runs_its_own_loop(monkeypatch):
    import detect_secrets.__version__ as version

    monkeypatch.setattr(version, "VERSION", "9.9.9")
    with detection.settings(None, allowlist=True):
        assert lines.scanner() is ds_scan._process_line_based_plugins
