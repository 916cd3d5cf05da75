"""Issue 15: ``check`` judges the submitted OpenAPI description itself, through
the real command: every document of the shared corpus with the findings it must
get (written from reading each document), small documents for every branch
(2.0, 3.0, 3.1, JSON and YAML, several files), hostile ones (a finding, never a
crash or a hang), and the locations SARIF and GitHub annotations carry."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, edit
from tests.probe_servers import Server, json_reply

CORPUS = ROOT.parent / "shared" / "corpus" / "openapi"
RULES = ("INT-002", "INT-003", "INT-007")


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "SOURCES.tsv").is_file():
        if os.environ.get("SPBE_REQUIRE_STANDARDS") == "1":
            pytest.fail(f"{CORPUS} is missing, and SPBE_REQUIRE_STANDARDS=1 needs it")
        pytest.skip(f"{CORPUS} (../shared beside the clone) is not available")
    return CORPUS


def judged(run, manifest: Path, spec: str, *extra: str) -> list[tuple[str, str, int]]:
    """(rule, JSON Pointer, line) of every finding located in the description."""
    edit(manifest, "spec: docs/api/openapi.yaml", f"spec: {spec}")
    result = run("check", "--format", "json", "--select", ",".join(RULES), *extra)
    assert result.status in (0, 1), result.stderr
    found = []
    for f in result.json()["findings"]:
        if f["location"]["path"] == spec and f["status"] != "pass":
            found.append((f["rule"], f["location"]["pointer"], f["location"]["line"]))
    return sorted(found)


def put(folder: Path, name: str, content: str | bytes) -> str:
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, "utf-8")
    return name


# ---- the corpus: what each document must get, from reading it ----------------
# The manifest is the compliant example: owner DPMPTSP, formats [json], auth oidc,
# not public, on jambikota.go.id.

EXPECTED = {
    # RvIG BRP (3.1.0, resolved): a Dutch host, no security object, no version in
    # /haalcentraal/api/brp nor in /personen, a contact with only a url; its errors
    # are problem+json through $ref to components.responses (so none reported).
    "BRP-API__Haal-Centraal-BRP-bevragen__specificatie_resolved_openapi.yaml": [
        ("INT-002", "/info/contact", 13),
        ("INT-002", "/servers/0/url", 21),
        ("INT-003", "/components", 79),
        ("INT-007", "/servers/0/url", 21),
    ],
    # OpenDK (3.0.3): three operations with `responses: {}` (invalid), served on
    # http://localhost:8000, a bearer scheme (not the city SSO), login with
    # `security: []`, most operations without error responses, no contact.
    "OpenSID__OpenDK__openapi_openapi.yaml": [
        ("INT-002", "/info", 2),
        ("INT-002", "/paths/~1api~1v1~1auth~1login/post/responses/401", 59),
        ("INT-002", "/paths/~1api~1v1~1auth~1logout/post/responses", 98),
        ("INT-002", "/paths/~1api~1v1~1auth~1logout/post/responses", 98),
        ("INT-002", "/paths/~1api~1v1~1auth~1refresh/post/responses", 107),
        ("INT-002", "/paths/~1api~1v1~1penduduk~1test/post/responses", 158),
        ("INT-003", "/components/securitySchemes", 23),
        ("INT-003", "/paths/~1api~1v1~1auth~1login/post", 33),
        ("INT-007", "/servers/0/url", 11),
        ("INT-007", "/servers/0/url", 11),
    ],
    # GOV.UK Pay (3.0.1 JSON): a gov.uk host, bearer auth, /v1/auth without
    # security, 401s without a body, JSON (not problem+json) errors, no contact.
    "alphagov__pay-publicapi__openapi_publicapi_spec.json": [
        ("INT-002", "/info", 3),
        ("INT-002", "/paths/~1v1~1agreements/get/responses/401", 67),
        ("INT-002", "/paths/~1v1~1agreements/get/responses/404", 70),
        ("INT-003", "/components/securitySchemes", 2834),
        ("INT-003", "/paths/~1v1~1auth/post", 329),
        ("INT-007", "/servers/0/url", 9),
    ],
    # Kota Madiun SPBE (3.0.2 JSON): path parameters without schema (invalid),
    # http://localhost:8080, no security at all, no error responses, no contact.
    "bappeda-dev-team__api_spbe_kota_madiun__api_doc.json": [
        ("INT-002", "/info", 3),
        (
            "INT-002",
            "/paths/~1v1~1deletereferensiarsitektur~1{referensiarsitekturId}"
            "/delete/parameters/0",
            230,
        ),
        ("INT-002", "/paths/~1v1~1referensiarsitektur/get/responses", 15),
        (
            "INT-002",
            "/paths/~1v1~1referensiarsitektur~1{kodeReferensi}/get/parameters/0",
            49,
        ),
        (
            "INT-002",
            "/paths/~1v1~1referensiarsitekturbyid~1{referensiarsitekturId}"
            "/get/parameters/0",
            86,
        ),
        ("INT-003", "/components", 292),
        ("INT-007", "/servers/0/url", 8),
        ("INT-007", "/servers/0/url", 8),
    ],
    # PagoPA IO (Swagger 2.0): a remote $ref (never fetched by check), host
    # localhost, basePath / with unversioned paths, no securityDefinitions, a 500
    # as ProblemJson but produces application/json, no contact.
    "pagopa__io-backend__api_public.yaml": [
        ("INT-002", "/basePath", 7),
        ("INT-002", "/definitions/ProblemJson/$ref", 68),
        ("INT-002", "/info", 2),
        ("INT-002", "/paths/~1/get/responses", 18),
        ("INT-002", "/paths/~1api~1v1~1status/get/responses/500", 62),
        ("INT-003", "/securityDefinitions", 1),
        ("INT-007", "/host", 6),
    ],
    # openapi-spec-validator's invalid fixture: a response without description.
    "python-openapi__openapi-spec-validator__tests_integration_data_v3.0_"
    "missing-description.yaml": [
        ("INT-002", "/info", 4),
        ("INT-002", "/paths", 9),
        ("INT-002", "/paths/~1/get/responses", 13),
        ("INT-002", "/paths/~1/get/responses/200", 14),
        ("INT-003", "/components", 2),
    ],
    # the valid petstore: http on petstore.swagger.io, no security, JSON errors.
    "python-openapi__openapi-spec-validator__tests_integration_data_v3.0_"
    "petstore.yaml": [
        ("INT-002", "/info", 2),
        ("INT-002", "/paths/~1pets/get/responses/default", 36),
        ("INT-003", "/components", 82),
        ("INT-007", "/servers/0/url", 8),
        ("INT-007", "/servers/0/url", 8),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_corpus_document_gets_the_findings_it_must(
    run, compliant: Path, corpus: Path, name: str
):
    spec = f"docs/api/{name}"
    shutil.copy(corpus / name, compliant.parent / spec)
    assert judged(run, compliant, spec) == sorted(EXPECTED[name])


def test_the_corpus_list_is_complete(corpus: Path):
    listed = [
        line.split("\t")[0]
        for line in (corpus / "SOURCES.tsv").read_text("utf-8").splitlines()[1:]
        if line.strip()
    ]
    assert sorted(listed) == sorted(EXPECTED)


def test_sarif_and_github_point_into_the_description(
    run, compliant: Path, corpus: Path
):
    name = "python-openapi__openapi-spec-validator__tests_integration_data_v3.0_petstore.yaml"
    spec = f"docs/api/{name}"
    shutil.copy(corpus / name, compliant.parent / spec)
    edit(compliant, "spec: docs/api/openapi.yaml", f"spec: {spec}")
    sarif = run("check", "--format", "sarif", "--select", "INT-007").json()
    (result, _) = sarif["runs"][0]["results"]
    location = result["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == spec
    assert location["physicalLocation"]["region"]["startLine"] == 8
    assert location["physicalLocation"]["region"]["startColumn"] == 10
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "/servers/0/url"
    github = run("check", "--format", "github", "--select", "INT-007", "--lang", "en")
    lines = [x for x in github.stdout.splitlines() if x.startswith("::error")]
    assert len(lines) == 2
    assert lines[0].startswith(f"::error file={spec},line=8,col=10,")
    assert "http://petstore.swagger.io/v1 is not HTTPS" in github.stdout


# ---- small documents for every branch ----------------------------------------

GOOD = {
    "openapi": "3.1.0",
    "info": {
        "title": "izin",
        "version": "2.3.0",
        "contact": {"name": "DPMPTSP Kota Jambi"},
    },
    "servers": [{"url": "https://sipelita.jambikota.go.id/webservices/rest-api/v2"}],
    "security": [{"sso": []}],
    "paths": {
        "/izin": {
            "get": {
                "responses": {
                    "200": {"description": "ok", "content": {"text/csv": {}}},
                    "4XX": {"$ref": "galat.yaml#/Masalah"},
                }
            }
        }
    },
    "components": {
        "securitySchemes": {
            "sso": {
                "type": "openIdConnect",
                "openIdConnectUrl": "https://sso.jambikota.go.id/realms/jambikota"
                "/.well-known/openid-configuration",
            }
        }
    },
}
PROBLEM = {
    "Masalah": {
        "description": "Problem Details",
        "content": {"application/problem+json": {"schema": {"type": "object"}}},
    }
}


def test_a_good_multi_file_3_1_description_passes(run, compliant: Path):
    folder = compliant.parent
    put(folder, "docs/api/openapi.yaml", yaml.safe_dump(GOOD))
    put(folder, "docs/api/galat.yaml", yaml.safe_dump(PROBLEM))
    edit(compliant, "formats: [json]", "formats: [json, csv]")
    assert judged(run, compliant, "docs/api/openapi.yaml") == []


def test_a_broken_referenced_file_is_found_and_the_cache_sees_the_change(
    run, compliant: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("SPBE_LINT_CACHE_DIR", str(tmp_path / "cache"))
    folder = compliant.parent
    put(folder, "docs/api/openapi.yaml", yaml.safe_dump(GOOD))
    put(folder, "docs/api/galat.yaml", yaml.safe_dump(PROBLEM))
    edit(compliant, "formats: [json]", "formats: [json, csv]")
    assert judged(run, compliant, "docs/api/openapi.yaml") == []
    assert list((tmp_path / "cache").glob("openapi-*.json"))  # remembered
    broken = {"Masalah": {"description": "x", "content": {"application/json": {}}}}
    put(folder, "docs/api/galat.yaml", yaml.safe_dump(broken))
    edit(compliant, "spec: docs/api/openapi.yaml", "spec: docs/api/./openapi.yaml")
    result = run("check", "--format", "json", "--select", "INT-002")
    messages = [f["message_i18n"]["en"] for f in result.json()["findings"]]
    assert any(
        "has no documented body" not in m and "without a documented body" in m
        for m in messages
    ), messages


@pytest.mark.parametrize(
    ("servers", "paths", "version", "expected"),
    [
        (["https://sipelita.jambikota.go.id/api/v1"], ["/izin"], "1.4.0", []),
        (
            ["https://sipelita.jambikota.go.id"],
            ["/pc/v4/izin", "/pc/v4/pemohon"],
            "4.0.1",
            [],
        ),
        (
            ["https://sipelita.jambikota.go.id/webservices/rest-api/v2"],
            ["/x"],
            "2.0",
            [],
        ),
        (
            ["https://sipelita.jambikota.go.id/api/v1"],
            ["/izin"],
            "2.0.0",
            [("INT-002", "/info/version")],
        ),
        (
            ["https://sipelita.jambikota.go.id/api"],
            ["/v1/a", "/v2/b"],
            "1.0.0",
            [("INT-002", "/servers/0/url")],
        ),
        (
            ["https://sipelita.jambikota.go.id/api"],
            ["/izin"],
            "1.0.0",
            [("INT-002", "/servers/0/url")],
        ),
    ],
)
def test_versioning_forms(run, compliant, servers, paths, version, expected):
    doc = json.loads(json.dumps(GOOD))
    doc["servers"] = [{"url": s} for s in servers]
    doc["info"]["version"] = version
    doc["paths"] = {p: GOOD["paths"]["/izin"] for p in paths}
    folder = compliant.parent
    put(folder, "docs/api/openapi.json", json.dumps(doc, indent=1))
    put(folder, "docs/api/galat.yaml", yaml.safe_dump(PROBLEM))
    edit(compliant, "formats: [json]", "formats: [json, csv]")
    found = judged(run, compliant, "docs/api/openapi.json")
    assert [(r, p) for r, p, _ in found] == expected


SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "izin", "version": "1.0.0", "contact": {"name": "DPMPTSP"}},
    "host": "192.168.10.5",
    "basePath": "/api/v1",
    "schemes": ["https"],
    "produces": ["application/json", "application/x-protobuf"],
    "securityDefinitions": {"kunci": {"type": "apiKey", "in": "query", "name": "k"}},
    "security": [{"kunci": []}],
    "paths": {
        "/izin": {
            "get": {
                "responses": {
                    "200": {"description": "ok"},
                    "500": {"description": "galat", "schema": {"type": "object"}},
                }
            }
        }
    },
}


def test_a_swagger_2_json_description(run, compliant: Path):
    put(compliant.parent, "docs/api/swagger.json", json.dumps(SWAGGER, indent=2))
    edit(compliant, "auth: oidc", "auth: api_key")
    found = {(r, p) for r, p, _ in judged(run, compliant, "docs/api/swagger.json")}
    assert found == {
        ("INT-007", "/host"),  # a private IP address
        ("INT-003", "/securityDefinitions/kunci/in"),  # the key in the query
        ("INT-002", "/produces/1"),  # protobuf is no open format
        ("INT-002", "/paths/~1izin/get/responses/500"),  # not problem+json
    }


def test_the_gateway_declared_is_accepted_and_oauth2_at_the_city_sso(
    run, compliant: Path
):
    doc = json.loads(json.dumps(GOOD))
    doc["servers"].append({"url": "https://splp.example.go.id/jambikota/izin/v2"})
    base = "https://sso.jambikota.go.id/realms/jambikota/protocol/openid-connect"
    flows = {
        "authorizationCode": {
            "authorizationUrl": f"{base}/auth",
            "tokenUrl": f"{base}/token",
            "scopes": {},
        }
    }
    doc["components"]["securitySchemes"]["sso"] = {"type": "oauth2", "flows": flows}
    folder = compliant.parent
    put(folder, "docs/api/openapi.yaml", yaml.safe_dump(doc))
    put(folder, "docs/api/galat.yaml", yaml.safe_dump(PROBLEM))
    edit(compliant, "formats: [json]", "formats: [json, csv]")
    edit(
        compliant,
        "      public: false",
        "      public: false\n      gateway: https://splp.example.go.id/jambikota/izin/v2",
    )
    assert judged(run, compliant, "docs/api/openapi.yaml") == []
    edit(compliant, "      gateway: https://splp.example.go.id/jambikota/izin/v2\n", "")
    found = judged(run, compliant, "docs/api/openapi.yaml")
    assert [(r, p) for r, p, _ in found] == [("INT-007", "/servers/1/url")]


# ---- hostile descriptions: a finding, never a crash or a hang ----------------


def statuses(run, compliant: Path, spec: str) -> dict[str, tuple[str, str]]:
    edit(compliant, "spec: docs/api/openapi.yaml", f"spec: {spec}")
    result = run(
        "check", "--format", "json", "--select", "INT-002,INT-007", "--lang", "en"
    )
    assert result.status in (0, 1), result.stderr
    return {
        f["rule"]: (f["status"], f["message"])
        for f in result.json()["findings"]
        if f["status"] != "pass"
    }


def test_deep_nesting_is_a_finding(run, compliant: Path):
    put(compliant.parent, "docs/api/deep.json", "[" * 200_000)
    found = statuses(run, compliant, "docs/api/deep.json")
    assert found["INT-002"] == (
        "manual",
        "the OpenAPI document cannot be judged: nesting too deep (the limit is 128 "
        "levels) (line 1, column 129); a reviewer must check it",
    )
    assert found["INT-007"][0] == "manual"  # nothing judged is never a pass


def test_an_alias_bomb_is_a_finding(run, compliant: Path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)
    ]
    put(compliant.parent, "docs/api/bomb.yaml", "\n".join(lines) + "\n")
    found = statuses(run, compliant, "docs/api/bomb.yaml")
    assert found["INT-002"][0] == "manual"
    assert "exceeds 1000000 nodes once aliases are expanded" in found["INT-002"][1]


def test_a_huge_description_is_a_finding(run, compliant: Path):
    with (compliant.parent / "docs" / "api" / "huge.yaml").open("wb") as stream:
        stream.truncate((16 << 20) + 1)
    found = statuses(run, compliant, "docs/api/huge.yaml")
    assert found["INT-002"] == (
        "manual",
        "the OpenAPI document cannot be judged: file too large (16777217 bytes; the "
        "limit for an API description is 16 MiB); a reviewer must check it",
    )


def test_a_file_url_reference_is_refused_without_its_content(
    run, compliant: Path, tmp_path: Path
):
    secret = tmp_path.parent / f"{tmp_path.name}-rahasia.yaml"
    secret.write_text("Pemohon: {description: RAHASIA-41c9}\n", "utf-8")
    doc = json.loads(json.dumps(GOOD))
    doc["paths"]["/izin"]["get"]["responses"]["4XX"] = {"$ref": f"{secret.as_uri()}#/X"}
    put(compliant.parent, "docs/api/openapi.yaml", yaml.safe_dump(doc))
    edit(compliant, "spec: docs/api/openapi.yaml", "spec: docs/api/openapi.yaml")
    result = run("check", "--format", "json", "--select", "INT-002", "--lang", "en")
    assert "RAHASIA-41c9" not in result.stdout + result.stderr
    messages = [
        f["message"] for f in result.json()["findings"] if f["status"] == "fail"
    ]
    assert any("file: URLs are not followed" in m for m in messages), messages


def test_a_loopback_reference_is_never_fetched_by_check(run, compliant: Path):
    with Server({"/x": json_reply({"Masalah": PROBLEM["Masalah"]})}) as loopback:
        doc = json.loads(json.dumps(GOOD))
        ref = f"http://127.0.0.1:{loopback.port}/x#/Masalah"
        doc["paths"]["/izin"]["get"]["responses"]["4XX"] = {"$ref": ref}
        put(compliant.parent, "docs/api/openapi.yaml", yaml.safe_dump(doc))
        result = run("check", "--format", "json", "--select", "INT-002", "--lang", "en")
        assert loopback.requests == []
    messages = [
        f["message"] for f in result.json()["findings"] if f["status"] == "fail"
    ]
    assert any("remote reference not fetched" in m for m in messages), messages


pytestmark = pytest.mark.allow_hosts(["127.0.0.1", "::1"])


def test_a_fifo_as_the_description_does_not_hang(compliant: Path):
    fifo = compliant.parent / "docs" / "api" / "pipa.yaml"
    os.mkfifo(fifo)
    edit(compliant, "spec: docs/api/openapi.yaml", "spec: docs/api/pipa.yaml")
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "spbe-lint"),
            "check",
            "--format",
            "json",
            "--select",
            "INT",
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=compliant.parent,
    )
    assert done.returncode == 0, done.stderr  # INT-002 is a warning
    report = json.loads(done.stdout)
    (fifo_finding,) = [
        f
        for f in report["findings"]
        if f["rule"] == "INT-002" and f["status"] == "fail"
    ]
    assert "not a regular file" in fifo_finding["message"]


def test_a_1_4_mb_description_is_judged_whole_by_check(run, compliant: Path):
    from tests.test_trust_openapi import big_spec

    doc = big_spec(1_400_000)
    put(compliant.parent, "docs/api/besar.json", json.dumps(doc))
    found = judged(run, compliant, "docs/api/besar.json")
    # judged whole: the 404 of the last operation is as well placed as the first
    assert ("INT-003", "/components", 1) in found
    assert all(line >= 1 for _, _, line in found)
