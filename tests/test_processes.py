"""The installed command as a separate process: entry points, hostile input,
and what the pre-commit path imports. A timeout guards each run against hangs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import assert_valid_report, submission

SCRIPT = Path(sys.executable).with_name("spbe-lint")


ENV = {**os.environ, "SPBE_LINT_LANG": "en"}


def spbe(
    *args: str, cwd: Path, timeout: float = 20
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_the_console_script_and_python_m_agree(workdir: Path):
    submission(workdir)
    script = spbe("check", "--format", "json", cwd=workdir)
    module = subprocess.run(
        [sys.executable, "-m", "spbe_lint", "check", "--format", "json"],
        cwd=workdir,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert script.returncode == module.returncode == 0
    report = json.loads(script.stdout)
    assert_valid_report(report)
    assert report == json.loads(module.stdout)
    assert module.stderr == ""


def _alias_bomb() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


HOSTILE = {
    "non-utf8": (
        b"spbe: 1\napp:\n  name: caf\xe9\n",
        "spbe.yaml:3:12: error: not valid UTF-8 text",
    ),
    "binary": (bytes(range(256)) * 4, "spbe.yaml:1:1: error: binary file"),
    "empty": (b"", "spbe.yaml: error: file is empty"),
    "comments-only": (
        b"# nothing here\n",
        "spbe.yaml: error: file contains no YAML document",
    ),
    "alias-bomb": (_alias_bomb().encode(), "spbe.yaml:1:"),
    "deep-flow": (b"a: " + b"[" * 10_000 + b"]" * 10_000, "spbe.yaml:1:"),
    "deep-block": (b"- " * 10_000 + b"x\n", "spbe.yaml:"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_one_line_exit_2(workdir: Path, name: str):
    content, expected = HOSTILE[name]
    (workdir / "spbe.yaml").write_bytes(content)
    result = spbe("check", cwd=workdir)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(expected), result.stderr
    if name.startswith("deep"):
        assert "nesting too deep" in result.stderr
    if name == "alias-bomb":
        assert "nodes once aliases are expanded" in result.stderr


def test_a_50_mb_file_is_refused_quickly(workdir: Path):
    with (workdir / "spbe.yaml").open("wb") as stream:
        stream.write(b"spbe: 1\n")
        stream.truncate(50 * 1024 * 1024)
    result = spbe("check", cwd=workdir, timeout=10)
    assert result.returncode == 2
    assert result.stderr.startswith("spbe.yaml: error: file too large (52428800 bytes")


def test_the_offline_check_path_imports_no_network_or_template_code(workdir: Path):
    """The manifest's pre-commit hook (``check --secrets skip``): without dataset
    samples to validate, nothing heavy is imported; frictionless (which brings
    requests and ssl) only when a dataset has a schema or sample. (The secret
    scan imports detect-secrets, which imports requests for its optional online
    verification of a key: spbe-lint never enables it, and the secrets hook is
    a separate process.)"""
    manifest = submission(workdir)
    text = manifest.read_text("utf-8")
    bare = "".join(
        line
        for line in text.splitlines(keepends=True)
        if not line.lstrip().startswith(("schema:", "sample:"))
    )
    manifest.write_text(bare, "utf-8")
    # A hook's cache is warm: the API description's judgement is remembered
    # (spbe_lint.evidence.apicache), so openapi-spec-validator is not imported.
    cache = {"SPBE_LINT_CACHE_DIR": str(workdir.parent / "hook-cache")}
    _heavy_imports(workdir, cache)
    # python-stdnum (NIK, NPWP) imports ssl in stdnum.util, for online lookups
    # spbe-lint never makes, and jsonschema-rs (the manifest schema's fast path)
    # imports email.utils, which imports socket: both are given stand-ins that
    # are never used (spbe_lint.deferred). Nothing of the network or templates
    # is loaded.
    assert _heavy_imports(workdir, cache) == "HEAVY=stdnum.util"
    manifest.write_text(bare.replace('samples: ["1571015203900001"]', ""), "utf-8")
    # No identifier values: no stdnum.
    assert _heavy_imports(workdir, cache) == "HEAVY="
    manifest.write_text(text, "utf-8")
    with_samples = _heavy_imports(workdir, cache)
    assert "frictionless" in with_samples
    assert "jinja2" not in with_samples and "spbe_lint.probes" not in with_samples
    # The dataset judgement is remembered (spbe_lint.evidence.datacache): the
    # next commit's hook reads it back without importing frictionless.
    assert "frictionless" not in _heavy_imports(workdir, cache)


def _heavy_imports(workdir: Path, env: dict[str, str] | None = None) -> str:
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['spbe-lint', 'check', '--secrets', 'skip']\n"
        "try:\n"
        "    runpy.run_module('spbe_lint', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "heavy = sorted(m for m in ('requests', 'urllib3', 'jinja2', 'http.client', 'ssl',"
        " 'ruamel.yaml', 'cryptography', 'openapi_spec_validator', 'certifi', 'socket',"
        " 'spbe_lint.probes.transport', 'spbe_lint.probes.pinning',"
        " 'spbe_lint.probes.collect', 'frictionless',"
        " 'stdnum.util')"
        " if m in sys.modules)\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-1]


def test_a_fifo_among_manifests_is_refused_and_the_others_checked(workdir: Path):
    (workdir / "f1").mkdir()
    os.mkfifo(workdir / "f1" / "spbe.yaml")
    (workdir / "f2").mkdir()
    submission(workdir / "f2")
    result = spbe("check", "f1", "f2", "--format", "json", cwd=workdir, timeout=10)
    assert result.returncode == 2
    assert result.stderr == "f1/spbe.yaml: error: not a regular file\n"
    report = json.loads(result.stdout)
    assert_valid_report(report)
    assert [i["path"] for i in report["inputs"]] == ["f2/spbe.yaml"]


def test_a_fifo_in_a_rule_pack_is_an_error_not_a_hang(workdir: Path, tmp_path: Path):
    pack = tmp_path / "pack"
    shutil.copytree(Path(__file__).parent.parent / "rules", pack)
    os.mkfifo(pack / "HOST-999.yaml")
    submission(workdir)
    result = spbe("check", "--rules", str(pack), cwd=workdir, timeout=10)
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "HOST-999.yaml: cannot read file: not a regular file"
    )


@pytest.mark.allow_hosts(["127.0.0.1", "::1"])
def test_the_installed_command_probes_a_loopback_app(workdir: Path, tmp_path: Path):
    """spbe-lint probe as a process: real TLS, --connect-to, --ca-bundle, JSON
    report with evidence; every name is mapped, so nothing leaves loopback."""
    import trustme

    from tests.probe_servers import GOOD_HEADERS, Reply, Server, tls_context

    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    context = tls_context(ca, "app.jambikota.go.id", "sso.jambikota.go.id")
    with Server({"/": Reply(200, GOOD_HEADERS, "<html></html>")}, tls=context) as app:
        maps = []
        for host in ("app.jambikota.go.id", "sso.jambikota.go.id"):
            maps += ["--connect-to", f"{host}:443:127.0.0.1:{app.port}"]
        maps += ["--connect-to", f"app.jambikota.go.id:80:127.0.0.1:{app.port + 0}"]
        result = spbe(
            "probe",
            "https://app.jambikota.go.id/",
            "--format",
            "json",
            "--ca-bundle",
            str(tmp_path / "ca.pem"),
            "--allow-network",
            "127.0.0.0/8",
            "--timeout",
            "3",
            "--select",
            "SEC-001,SEC-002",
            *maps,
            cwd=workdir,
            timeout=30,
        )
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert_valid_report(report)
    statuses = {(f["rule"], f["status"]) for f in report["findings"]}
    assert ("SEC-002", "pass") in statuses
    (sec1,) = [f for f in report["findings"] if f["rule"] == "SEC-001"][:1]
    assert sec1["location"]["path"] == "https://app.jambikota.go.id/"
    assert sec1["evidence"]
