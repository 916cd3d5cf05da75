"""spbe-lint audit --probe: every application's endpoints probed in one shared
session, on loopback servers with real TLS from a test CA."""

from __future__ import annotations

import base64
import datetime
import json
import pickle
import threading
import zlib
from pathlib import Path

import pytest

from tests.conftest import Judged, submission
from tests.probe_servers import (
    DISCOVERY,
    GOOD_HEADERS,
    City,
    Reply,
    json_reply,
    now,
    tls_context,
)
from tests.test_audit import records

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1", "::1"]),
    pytest.mark.usefixtures("no_dns"),
]

HOSTS = {"perizinan": "sipelita.jambikota.go.id", "pajak": "pajak.jambikota.go.id"}


def _applications(workdir: Path) -> Path:
    """One submission per host of HOSTS, under workdir/apps."""
    apps = workdir / "apps"
    for name, host in HOSTS.items():
        manifest = submission(apps / name)
        text = manifest.read_text("utf-8").replace("sipelita.jambikota.go.id", host)
        manifest.write_text(text, "utf-8")
    return apps


def _endpoints(host: str) -> list[str]:
    """What the compliant example declares, on *host*."""
    return [f"https://{host}/{path}" for path in ("", "login", "health", "api/v1")]


def _login(host: str) -> Reply:
    authorize = (
        DISCOVERY["authorization_endpoint"]
        + f"?response_type=code&client_id={host.split('.', maxsplit=1)[0]}&redirect_uri="
        + f"https://{host}/callback&scope=openid&state=s&code_challenge=c"
        + "&code_challenge_method=S256"
    )
    return Reply(302, [("Location", authorize)])


def _serve(city: City, host: str, days_valid: float) -> None:
    routes = {
        "/": Reply(200, GOOD_HEADERS, "<html><body>app</body></html>"),
        "/login": _login(host),
        "/health": json_reply({"status": "pass"}, 200, "application/health+json"),
        "/api/v1": Reply(401, [("Content-Type", "application/json")], "{}"),
        "/.well-known/security.txt": Reply(
            200,
            [("Content-Type", "text/plain; charset=utf-8")],
            "Contact: mailto:csirt@jambikota.go.id\nExpires: 2099-01-01T00:00:00Z\n",
        ),
    }
    context = tls_context(city.ca, host, not_after=now(days_valid))
    city.app(routes, context=context, host=host)
    city.plain(host=host)


def test_audit_probes_every_application_in_one_session(run, city: City, workdir: Path):
    apps = _applications(workdir)
    _serve(city, HOSTS["perizinan"], days_valid=10.5)  # expires within 30 days
    _serve(city, HOSTS["pajak"], days_valid=200)
    discovery_requests = []
    lock = threading.Lock()

    def discovery(handler) -> None:
        with lock:
            discovery_requests.append(handler.path)
        json_reply(DISCOVERY).send(handler)

    city.sso({"/realms/jambikota/.well-known/openid-configuration": discovery})
    today = datetime.date.today().isoformat()  # certificates expire in real time
    result = run(
        "audit",
        str(apps),
        "--probe",
        "--as-of",
        today,
        "--dashboard",
        "audit.html",
        "--csv",
        "audit.csv",
        *city.args(),
    )
    assert result.status in (0, 1), result.stderr
    assert len(discovery_requests) == 1  # the city SSO asked once, not per app
    lines = records(workdir / "spbe-audit.jsonl")
    assert lines[0]["probe"] is True
    found = {r["app"]: r for r in lines[1:]}
    for name, host in HOSTS.items():
        assert found[name]["endpoints"] == _endpoints(host)
        (certificate,) = found[name]["certificates"]
        assert certificate["host"] == host
    expiring = found["perizinan"]["certificates"][0]["not_after"][:10]
    # The probe judged the endpoint rules: none is left "awaiting the probe".
    report_rules = {f["rule"] for f in found["pajak"]["failures"]}
    assert not report_rules & {"SEC-001", "PRB-004"}, found["pajak"]["failures"]

    page = (workdir / "audit.html").read_text("utf-8")
    section = page.split('id="certificates"')[1].split("</section>")[0]
    assert HOSTS["perizinan"] in section and expiring in section
    assert HOSTS["pajak"] not in section  # 200 days left: not listed
    rows = (workdir / "audit.csv").read_text("utf-8-sig").splitlines()
    assert any(r.startswith("perizinan,") and expiring in r for r in rows)


def test_a_csv_row_with_only_a_url_is_probed_without_a_manifest(
    run, city: City, workdir: Path
):
    _serve(city, "lama.jambikota.go.id", days_valid=200)
    city.sso()
    (workdir / "inventaris.csv").write_text(
        "id,opd,manifest,url\nLAMA,Dinas Lama,,https://lama.jambikota.go.id/\n",
        "utf-8",
    )
    result = run("audit", "inventaris.csv", "--probe", *city.args())
    assert result.status in (0, 1), result.stderr
    (record,) = records(workdir / "spbe-audit.jsonl")[1:]
    assert record["state"] == "checked" and record["opd"] == "Dinas Lama"
    assert record["endpoints"] == ["https://lama.jambikota.go.id/"]
    assert record["certificates"][0]["host"] == "lama.jambikota.go.id"
    # Without --probe the same row has nothing to check: a broken entry.
    result = run("audit", "inventaris.csv", "--results", "static.jsonl", "--lang", "en")
    assert result.status == 1
    assert "LAMA: inventaris.csv:2: the inventory names no manifest" in result.stderr


def test_a_second_audit_with_probes_reuses_the_static_part_and_probes_again(
    run, city: City, workdir: Path, private_cache: Path, checked: Judged
):
    """Auditing the city's endpoints again (nightly, say) judges no unchanged
    submission again, yet probes every endpoint again, with the same records;
    the cache holds none of the manifest the probe reads (read again)."""
    apps = _applications(workdir)
    for host in HOSTS.values():
        _serve(city, host, days_valid=200)
    city.sso(
        {"/realms/jambikota/.well-known/openid-configuration": json_reply(DISCOVERY)}
    )
    today = datetime.date.today().isoformat()

    def audit(results: str) -> dict[str, dict]:
        result = run(
            "audit",
            str(apps),
            "--probe",
            "--as-of",
            today,
            "--results",
            results,
            *city.args(),
        )
        assert result.status in (0, 1), result.stderr
        return {
            r["app"]: {k: v for k, v in r.items() if k not in ("seconds", "started")}
            for r in records(workdir / results)[1:]
        }

    first = audit("one.jsonl")
    assert checked() == sorted(HOSTS)
    checked.clear()
    second = audit("two.jsonl")
    assert checked() == []  # the static part remembered
    assert second == first
    for name, host in HOSTS.items():  # probed again: the endpoints' verdicts
        assert second[name]["endpoints"] == _endpoints(host)
        assert second[name]["certificates"][0]["host"] == host
    entries = list(private_cache.glob("application-*.json"))
    assert len(entries) == len(HOSTS)
    for entry in entries:
        packed = json.loads(entry.read_text("utf-8"))["static"]
        fields = pickle.loads(zlib.decompress(base64.b64decode(packed)))
        assert (fields["manifest"], fields["endpoints"], fields["declared"]) == (
            None,
            (),
            {},
        )
