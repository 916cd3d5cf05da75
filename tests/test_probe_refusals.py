"""Probe refusals are not verdicts (issue 13): a target the tool's own address
policy refuses is a usage problem (one line, exit 2, nothing printed as a
verdict, no connection), while an application outside the city domain is the
hosting verdict itself (PRB-001, serving HOST-004), given without a connection."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from spbe_lint.probes import pinning
from tests.conftest import edit, submission
from tests.probe_servers import APP, City
from tests.test_probe import findings
from tests.test_processes import spbe

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1", "::1"]),
    pytest.mark.usefixtures("no_dns", "workdir"),  # outputs land in a temporary folder
]

HOST_004_BASIS = [  # rules/HOST-004.yaml, which PRB-001 serves
    ("Permenkominfo 4/2024", "Pasal 29 ayat (3)–(4)"),
    ("PP 71/2019", "Pasal 85 ayat (2)"),
    ("Permenkominfo 23/2013", "Pasal 21 ayat (2), Pasal 39 ayat (1)"),
]


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every connection the probe opens (none, for a refused target)."""
    seen: list[tuple[str, int]] = []
    real = pinning.open_socket

    def recording(address: str, port: int, timeout: float) -> socket.socket:
        seen.append((address, port))
        return real(address, port, timeout)

    monkeypatch.setattr(pinning, "open_socket", recording)
    return seen


def resolving(monkeypatch: pytest.MonkeyPatch, name: str, address: str) -> None:
    real = socket.getaddrinfo

    def answer(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return real(address if host == name else host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", answer)


@pytest.mark.parametrize("fmt", ["text", "concise", "json"])
def test_an_ip_address_is_a_usage_error_in_the_chosen_language(run, connects, fmt: str):
    result = run("probe", "https://127.0.0.1/", "--format", fmt)
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == (
        "spbe-lint: https://127.0.0.1/: tidak diperiksa: alamat IP tidak diterima; "
        "pakai nama host-nya\n"
    )
    result = run("probe", "https://127.0.0.1/", "--format", fmt, "--lang", "en")
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == (
        "spbe-lint: https://127.0.0.1/: not probed: an IP address is not admitted; "
        "use the host name\n"
    )
    assert connects == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://[::1]/", "an IP address is not admitted"),
        ("http://169.254.169.254/latest/meta-data/", "an IP address is not admitted"),
        ("https://app.jambikota.go.id:8443/", "port 8443 is not allowed"),
        ("https://user@app.jambikota.go.id/", "not a URL every parser reads"),
    ],
)
def test_every_refused_url_is_a_usage_error(run, connects, url: str, reason: str):
    result = run("probe", url, "--lang", "en", "-o", "json=probe.json")
    assert result.status == 2
    assert result.stderr.startswith(f"spbe-lint: {url}: not probed: {reason}")
    assert len(result.stderr.splitlines()) == 1
    assert not Path("probe.json").exists()  # nothing written as a verdict
    assert connects == []


def test_resolve_to_loopback_is_a_usage_error_not_a_finding(run, workdir, connects):
    args = ("--resolve", f"{APP}:443:127.0.0.1", "--lang", "en")
    result = run("probe", f"https://{APP}/", *args)
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == (
        f"spbe-lint: --resolve {APP}:443:127.0.0.1: 127.0.0.1 is refused (loopback): "
        "the probe never contacts such an address; --allow-network CIDR admits a range\n"
    )
    # The same operator mistake with a manifest (check --probe): no report either.
    submission(workdir)
    result = run("check", "--probe", *args, "--format", "json")
    assert (result.status, result.stdout) == (2, "")
    assert "127.0.0.1 is refused (loopback)" in result.stderr
    # Indonesian by default; a metadata address says how it could be admitted.
    result = run(
        "probe",
        f"https://{APP}/",
        "--connect-to",
        f"{APP}:443:169.254.169.254:443",
        "--allow-network",
        "169.254.0.0/16",
    )
    assert result.status == 2
    assert result.stderr == (
        f"spbe-lint: --connect-to {APP}:443:169.254.169.254:443: 169.254.169.254 "
        "ditolak (alamat metadata cloud): hanya --allow-network 169.254.169.254/32 "
        "(alamat itu sendiri) mengizinkannya\n"
    )
    assert connects == []


def test_a_name_resolving_to_loopback_is_a_usage_error(run, connects, monkeypatch):
    resolving(monkeypatch, APP, "127.0.0.1")
    result = run("probe", f"https://{APP}/", "--lang", "en")
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == (
        f"spbe-lint: https://{APP}/: not probed: {APP} leads to 127.0.0.1 (loopback); "
        "the probe never contacts such an address; --allow-network CIDR admits a "
        "range\n"
    )
    assert connects == []


def test_a_manifest_host_resolving_inward_is_not_blamed(
    run, workdir: Path, connects, monkeypatch
):
    """A manifest's own endpoint whose name resolves to loopback: the probe
    does not contact it, and says so without a failing verdict."""
    submission(workdir)
    resolving(monkeypatch, "sipelita.jambikota.go.id", "127.0.0.1")
    result = run(
        "check", "--probe", "--format", "json", "--lang", "en", "--select", "PRB-001"
    )
    (finding,) = findings(result, "PRB-001")
    assert finding["status"] == "inconclusive"
    assert finding["message_i18n"]["en"].startswith(
        "final-host: not contacted: the probe's address policy refuses "
        "sipelita.jambikota.go.id [127.0.0.1 (loopback)]"
    )
    assert result.status == 0
    assert connects == []


def test_outside_the_city_domain_is_the_hosting_verdict(run, city: City, connects):
    city.sso()
    result = run("probe", "https://app.example.com/", "--format", "json", *city.args())
    assert result.status == 1
    (finding,) = findings(result, "PRB-001")
    assert finding["status"] == "fail"
    assert finding["severity"] == "error"
    assert finding["domain"] == "hosting"
    assert finding["message_i18n"] == {
        "id": "final-host: app.example.com bukan subdomain jambikota.go.id: alamat "
        "aplikasi wajib memakai subdomain domain kota (HOST-004); tidak dihubungi",
        "en": "final-host: app.example.com is not a subdomain of jambikota.go.id: the "
        "application's address must be a subdomain of the city domain (HOST-004); "
        "not contacted",
    }
    assert [(r["short"], r["article"]) for r in finding["references"]] == HOST_004_BASIS
    assert finding["location"] == {"path": "https://app.example.com/", "pointer": ""}
    # Only the city SSO was contacted (its discovery), never the application.
    assert {port for _, port in connects} <= {city.servers[0].port}
    paths = city.servers[0].paths()
    assert all(p.startswith("/realms/") for p in paths)
    # Text output: the verdict with its legal basis.
    result = run("probe", "https://app.example.com/", *city.args())
    assert result.status == 1
    assert (
        "https://app.example.com/: error PRB-001 final-host: app.example.com is not "
        "a subdomain of jambikota.go.id" in " ".join(result.stdout.split())
    )
    assert "basis: Permenkominfo 4/2024 Pasal 29 ayat (3)–(4)" in result.stdout


def test_an_audit_with_a_refused_override_stops_before_its_results(
    run, workdir: Path, connects
):
    submission(workdir / "apps" / "perizinan")
    result = run(
        "audit",
        "apps",
        "--probe",
        "--resolve",
        "sipelita.jambikota.go.id:443:10.0.0.5",
        "--lang",
        "en",
    )
    assert result.status == 2
    assert result.stderr == (
        "spbe-lint: --resolve sipelita.jambikota.go.id:443:10.0.0.5: 10.0.0.5 is "
        "refused (private address outside the data-centre ranges): the probe never "
        "contacts such an address; --allow-network CIDR admits a range\n"
    )
    assert not (workdir / "spbe-audit.jsonl").exists()
    assert connects == []


def test_probe_refuses_jobs_it_would_ignore(run, connects):
    # check's --jobs spreads streamed manifest runs over processes; a probe run
    # is never streamed, so probe must not accept the option and ignore it.
    result = run("probe", "--jobs", "2", "https://app.jambikota.go.id/")
    assert (result.status, result.stdout) == (2, "")
    assert "--jobs" in result.stderr
    assert "--jobs" not in run("probe", "--help").stdout
    assert "--jobs" in run("check", "--help").stdout
    assert connects == []


def test_the_installed_command_exits_2_on_a_refused_target(workdir: Path):
    done: subprocess.CompletedProcess[str] = spbe(
        "probe", "https://127.0.0.1/", "--format", "concise", cwd=workdir
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "spbe-lint: https://127.0.0.1/: not probed: an IP address is not admitted; "
        "use the host name\n"
    )


def test_the_manifest_endpoint_outside_the_city_fails_without_contact(
    run, workdir: Path, connects
):
    manifest = submission(workdir)
    edit(manifest, "url: https://sipelita.jambikota.go.id/", "url: https://x.example/")
    result = run(
        "check", "--probe", "--format", "json", "--lang", "en", "--select", "PRB-001"
    )
    failing = [f for f in findings(result, "PRB-001") if f["status"] == "fail"]
    assert [f["location"]["path"] for f in failing] == ["https://x.example/"]
    assert all(address != "x.example" for address, _ in connects)
