"""Issue 13, reading, for what the probe fetches or the submission holds: OpenAPI
descriptions (sizes that fit real documents, depth, our own ``$ref`` resolver)
and the city SSO's discovery document, through the real command on loopback
servers with real TLS (tests.probe_servers)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import submission
from tests.probe_servers import City, Reply, Server, json_reply
from tests.test_audit import records

pytestmark = [
    pytest.mark.allow_hosts(["127.0.0.1", "::1"]),
    pytest.mark.usefixtures("no_dns"),
]

HOST = "sipelita.jambikota.go.id"
SECRET = "RAHASIA-HOSTNAME-41c9"
SPEC = {
    "openapi": "3.0.3",
    "info": {
        "title": "Izin",
        "version": "1.0.0",
        "contact": {"name": "DPMPTSP Kota Jambi"},
    },
    # the document's own version, not the manifest's base_url, is judged
    "servers": [{"url": "https://sipelita.jambikota.go.id/api/v1"}],
    "paths": {
        "/izin": {
            "get": {
                "operationId": "daftarIzin",
                "responses": {
                    "404": {
                        "description": "tidak ada",
                        "content": {
                            "application/problem+json": {"schema": {"type": "object"}}
                        },
                    },
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Izin"}
                            }
                        },
                    },
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Izin": {"type": "object", "properties": {"nomor": {"type": "string"}}}
        }
    },
}


def with_ref(ref: str) -> dict[str, Any]:
    spec = copy.deepcopy(SPEC)
    spec["components"]["schemas"]["Izin"]["properties"]["pemohon"] = {"$ref": ref}
    return spec


def serve(city: City, routes: dict[str, Any]) -> Server:
    """The manifest's application: its API at /api/v1 with *routes* beside it."""
    server = city.app(
        {"/api/v1": Reply(401, [("WWW-Authenticate", "Bearer")], ""), **routes},
        host=HOST,
    )
    city.plain(host=HOST)
    city.sso()
    return server


def prb007(run, city: City) -> dict[str, dict[str, Any]]:
    """The probe's PRB-007 results by check (openapi-found, openapi-valid, ...):
    the document above passes every other check PRB-007 names."""
    result = run("probe", "--format", "json", *city.args(), "--select", "PRB-007")
    assert result.status in (0, 1), result.stderr
    found: dict[str, dict[str, Any]] = {}
    for finding in result.json()["findings"]:
        if finding["rule"] != "PRB-007":
            continue
        check, sep, _ = finding["message_i18n"]["en"].partition(": ")
        if sep and check.startswith(("openapi-", "api-")):
            found[check] = finding
            continue
        # a rule that passed on every check is one result: its evidence names them
        for entry in finding["evidence"]:
            for key, value in entry["facts"]:
                if key == "check":
                    found.setdefault(value, finding)
    found["_output"] = {"text": result.stdout + result.stderr}
    return found


# ---- $ref: our resolver, never the validator's --------------------------------


def test_a_file_url_reference_is_refused_and_its_content_never_shown(
    run, city: City, compliant: Path, tmp_path: Path
):
    secret = tmp_path.parent / f"{tmp_path.name}-hostname"
    secret.write_text(SECRET + "\n", "utf-8")
    serve(city, {"/api/v1/openapi.json": json_reply(with_ref(secret.as_uri()))})
    found = prb007(run, city)
    valid = found["openapi-valid"]
    assert valid["status"] == "fail"
    assert valid["message_i18n"]["en"] == (
        "openapi-valid: components.schemas.Izin.properties.pemohon.$ref: not valid "
        f"OpenAPI: $ref {secret.as_uri()}: file: URLs are not followed; refer to a file by a "
        "relative path inside the submission"
    )
    assert SECRET not in found["_output"]["text"]


def test_a_loopback_reference_is_never_fetched(run, city: City, compliant: Path):
    with Server({"/x": json_reply({"type": "string"})}) as loopback:
        ref = f"http://127.0.0.1:{loopback.port}/x"
        serve(city, {"/api/v1/openapi.json": json_reply(with_ref(ref))})
        found = prb007(run, city)
        assert loopback.requests == []  # not one connection reached it
    message = found["openapi-valid"]["message_i18n"]["en"]
    assert found["openapi-valid"]["status"] == "fail"
    assert message.startswith(
        "openapi-valid: components.schemas.Izin.properties.pemohon.$ref: not valid "
        f"OpenAPI: $ref {ref}: not fetched: refused: "
    ), message
    # the finding points into the published document, not at the endpoint
    location = found["openapi-valid"]["location"]
    assert location["path"] == f"https://{HOST}/api/v1/openapi.json"
    assert location["pointer"] == "/components/schemas/Izin/properties/pemohon/$ref"


def test_a_relative_reference_on_the_city_host_is_fetched_through_the_probe(
    run, city: City, compliant: Path
):
    server = serve(
        city,
        {
            "/api/v1/openapi.json": json_reply(with_ref("schemas.json#/Pemohon")),
            "/api/v1/schemas.json": json_reply({"Pemohon": {"type": "string"}}),
        },
    )
    found = prb007(run, city)
    assert found["openapi-valid"]["status"] == "pass", found
    assert "/api/v1/schemas.json" in server.paths()


def _multi_file(folder: Path) -> None:
    """A specification in three files and two folders, joined by relative $ref."""
    api = folder / "docs" / "api"
    (api / "skema").mkdir(parents=True, exist_ok=True)
    spec = with_ref("skema/pemohon.yaml#/Pemohon")
    (api / "openapi.yaml").write_text(yaml.safe_dump(spec), "utf-8")
    (api / "skema" / "pemohon.yaml").write_text(
        yaml.safe_dump(
            {
                "Pemohon": {
                    "type": "object",
                    "properties": {"alamat": {"$ref": "../umum/alamat.yaml#/Alamat"}},
                }
            }
        ),
        "utf-8",
    )
    (api / "umum").mkdir(exist_ok=True)
    (api / "umum" / "alamat.yaml").write_text(
        yaml.safe_dump({"Alamat": {"type": "string", "default": "Jl. Sultan Thaha"}}),
        "utf-8",
    )


def test_a_multi_file_submitted_specification_validates(
    run, city: City, compliant: Path
):
    _multi_file(compliant.parent)
    serve(city, {})  # no description online: the submitted file is judged
    found = prb007(run, city)
    assert found["openapi-found"]["status"] == "pass", found["openapi-found"]
    assert found["openapi-valid"]["status"] == "pass", found["openapi-valid"]


def test_a_referenced_file_is_really_validated(run, city: City, compliant: Path):
    _multi_file(compliant.parent)
    alamat = compliant.parent / "docs" / "api" / "umum" / "alamat.yaml"
    alamat.write_text(yaml.safe_dump({"Alamat": {"type": "integer", "default": "x"}}))
    serve(city, {})
    found = prb007(run, city)
    assert found["openapi-valid"]["status"] == "fail"
    assert found["openapi-valid"]["message_i18n"]["en"] == (
        "openapi-valid: the document is not valid OpenAPI: 'x' is not of type 'integer'"
    )


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        (
            "../../../../rahasia.yaml#/X",
            "the reference leads outside the submission folder",
        ),
        ("tautan.yaml#/X", "the reference leads outside the submission folder"),
        ("tidak-ada.yaml#/X", "cannot read the referenced document: No such file"),
        ("https://example.com/x.yaml#/X", "not fetched: refused: "),
    ],
)
def test_submitted_references_that_cannot_be_followed_are_named(
    run, city: City, compliant: Path, tmp_path: Path, ref: str, reason: str
):
    api = compliant.parent / "docs" / "api"
    secret = tmp_path.parent / f"{tmp_path.name}-luar.yaml"
    secret.write_text(f"X: {{description: {SECRET}}}\n", "utf-8")
    (api / "tautan.yaml").symlink_to(secret)
    (compliant.parent.parent / "rahasia.yaml").write_text(f"X: {SECRET}\n", "utf-8")
    (api / "openapi.yaml").write_text(yaml.safe_dump(with_ref(ref)), "utf-8")
    serve(city, {})
    found = prb007(run, city)
    message = found["openapi-valid"]["message_i18n"]["en"]
    assert found["openapi-valid"]["status"] == "fail"
    assert message.startswith(
        "openapi-valid: components.schemas.Izin.properties.pemohon.$ref: not valid "
        "OpenAPI: $ref "
    ), message
    assert reason in message, message
    assert SECRET not in found["_output"]["text"]


# ---- sizes that fit real documents, limits said when exceeded -----------------


def big_spec(size: int) -> dict[str, Any]:
    """A valid description of about *size* bytes of JSON (distinct operations)."""
    spec = copy.deepcopy(SPEC)
    operation = spec["paths"]["/izin"]["get"]
    count = 0
    while len(json.dumps(spec)) < size:
        for _ in range(200):
            count += 1
            item = copy.deepcopy(operation)
            item["operationId"] = f"izin{count}"
            item["description"] = "Daftar izin usaha yang terbit di Kota Jambi. " * 4
            spec["paths"][f"/izin/{count}"] = {"get": item}
    return spec


def test_a_1_4_mb_description_online_is_judged_whole(run, city: City, compliant: Path):
    spec = big_spec(1_400_000)
    assert len(json.dumps(spec)) > 1 << 20  # more than the 1 MiB it was cut at
    serve(city, {"/api/v1/openapi.json": json_reply(spec)})
    found = prb007(run, city)
    assert found["openapi-found"]["status"] == "pass", found["openapi-found"]
    assert found["openapi-valid"]["status"] == "pass", found["openapi-valid"]


def test_a_1_4_mb_submitted_yaml_description_is_judged_whole(
    run, city: City, compliant: Path
):
    text = yaml.safe_dump(big_spec(1_400_000), sort_keys=False)
    assert len(text) > 1 << 20
    (compliant.parent / "docs" / "api" / "openapi.yaml").write_text(text, "utf-8")
    serve(city, {})
    found = prb007(run, city)
    assert found["openapi-found"]["status"] == "pass", found["openapi-found"]
    assert found["openapi-valid"]["status"] == "pass", found["openapi-valid"]


DEEP = "[" * 200_000


@pytest.mark.parametrize("where", ["online", "submitted"])
def test_a_deeply_nested_description_is_inconclusive_with_the_reason(
    run, city: City, compliant: Path, where: str
):
    if where == "online":
        # the submitted file is no description: what is online is what is judged
        (compliant.parent / "docs" / "api" / "openapi.yaml").write_text("-\n")
        deep = Reply(200, [("Content-Type", "application/json")], DEEP)
        serve(city, {"/api/v1/openapi.json": deep})
        prefix = f"https://{HOST}/api/v1/openapi.json: "
    else:
        (compliant.parent / "docs" / "api" / "openapi.yaml").write_text(DEEP, "utf-8")
        serve(city, {})
        prefix = "docs/api/openapi.yaml: "
    found = prb007(run, city)
    assert found["openapi-found"]["status"] == "inconclusive"
    assert found["openapi-found"]["message_i18n"]["en"] == (
        "openapi-found: the OpenAPI document cannot be judged: "
        f"{prefix}nesting too deep (the limit is 128 levels) (line 1, column 129)"
    )


def test_a_description_over_16_mib_is_inconclusive_naming_the_limit(
    run, city: City, compliant: Path
):
    huge = b'{"openapi": "3.0.3", "x": "' + b"a" * (16 << 20) + b'"}'
    (compliant.parent / "docs" / "api" / "openapi.yaml").write_text("-\n")
    serve(
        city,
        {
            "/api/v1/openapi.json": Reply(
                200, [("Content-Type", "application/json")], huge
            )
        },
    )
    found = prb007(run, city)
    assert found["openapi-found"]["status"] == "inconclusive"
    assert found["openapi-found"]["message_i18n"]["en"] == (
        "openapi-found: the OpenAPI document cannot be judged: "
        f"https://{HOST}/api/v1/openapi.json: larger than 16 MiB (the limit for an "
        "API description)"
    )


def test_a_submitted_description_over_16_mib_names_the_limit(
    run, city: City, compliant: Path
):
    with (compliant.parent / "docs" / "api" / "openapi.yaml").open("wb") as stream:
        stream.truncate((16 << 20) + 1)
    serve(city, {})
    found = prb007(run, city)
    assert found["openapi-found"]["status"] == "inconclusive"
    assert found["openapi-found"]["message_i18n"]["en"] == (
        "openapi-found: the OpenAPI document cannot be judged: file too large "
        "(16777217 bytes; the limit for an API description is 16 MiB)"
    )


# ---- validation messages: a pointer and a reason, the same on every run --------


def test_validation_messages_are_the_same_on_every_run(tmp_path: Path):
    """In separate processes with different hash seeds: no repr with an address,
    no set order (openapi-spec-validator builds one message from a set)."""
    spec = copy.deepcopy(SPEC)
    spec["components"]["schemas"]["Izin"] = {
        "allOf": [{"type": "object", "properties": {"a": {"type": "string"}}}],
        "required": ["zeta", "alfa", "beta", "gamma", "delta"],
    }
    spec["paths"]["/izin"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ] = {"$ref": "#/components/schemas/Izin"}
    (tmp_path / "spec.json").write_text(json.dumps(spec), "utf-8")
    code = (
        "import json, sys\n"
        "from spbe_lint import apidoc\n"
        "from spbe_lint.references import Resolver\n"
        "doc = json.load(open(sys.argv[1]))\n"
        "print(apidoc.validate(doc, Resolver(apidoc.parse), 'https://x.invalid/'))\n"
    )
    seen = set()
    for seed in ("1", "2", "3", "4"):
        out = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path / "spec.json")],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.strip()
        seen.add(out)
    (message,) = seen
    assert message == (
        "Required list has not defined properties: alfa, beta, delta, gamma, zeta"
    )


# ---- the city SSO misbehaving is inconclusive, never an internal error ---------


def test_a_deeply_nested_sso_discovery_document_is_inconclusive(
    run, city: City, compliant: Path
):
    city.app({}, host=HOST)
    city.plain(host=HOST)
    deep = Reply(200, [("Content-Type", "application/json")], DEEP)
    city.sso({"/realms/jambikota/.well-known/openid-configuration": deep})
    result = run("probe", "--format", "json", *city.args(), "--select", "PRB-004")
    assert result.status in (0, 1), result.stderr
    (discovery,) = [
        f
        for f in result.json()["findings"]
        if f["message_i18n"]["en"].startswith("oidc-discovery")
    ]
    assert discovery["status"] == "inconclusive"
    assert discovery["message_i18n"]["en"] == (
        "oidc-discovery: the city SSO discovery document cannot be read: nesting too "
        "deep (the limit is 128 levels) (line 1, column 129)"
    )


def test_an_audit_with_a_misbehaving_sso_records_no_internal_error(
    run, city: City, workdir: Path
):
    for name in ("a", "b"):
        submission(workdir / "apps" / name)
    city.app({}, host=HOST)
    city.plain(host=HOST)
    deep = Reply(200, [("Content-Type", "application/json")], DEEP)
    city.sso({"/realms/jambikota/.well-known/openid-configuration": deep})
    result = run("audit", "apps", "--probe", *city.args())
    assert result.status == 1, result.stderr  # the apps fail; nothing is a bug
    found = records(workdir / "spbe-audit.jsonl")[1:]
    assert {r["state"] for r in found} == {"checked"}


def test_a_jwks_with_duplicate_keys_fails_with_the_place(run, city: City, compliant):
    from tests.probe_servers import JWKS_PATH

    city.app({}, host=HOST)
    city.plain(host=HOST)
    jwks = Reply(
        200, [("Content-Type", "application/json")], '{"keys": [],\n "keys": []}'
    )
    city.sso({JWKS_PATH: jwks})
    result = run("probe", "--format", "json", *city.args(), "--select", "PRB-004")
    (found,) = [
        f
        for f in result.json()["findings"]
        if f["message_i18n"]["en"].startswith("oidc-jwks")
    ]
    assert found["status"] == "fail"
    assert found["message_i18n"]["en"] == (
        "oidc-jwks: the JWKS is not usable: key 'keys' appears twice in one object "
        "(line 2, column 2)"
    )
