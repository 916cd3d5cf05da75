from __future__ import annotations

import pytest

from spbe_lint.checks import CheckContext, hosts

CONTEXT = CheckContext(profile={"domain": "jambikota.go.id"})


@pytest.mark.parametrize(
    ("value", "kinds"),
    [
        ("sipelita.jambikota.go.id", []),
        ("SIPELITA.JambiKota.go.id.", []),  # case and a trailing dot do not matter
        ("a.b.jambikota.go.id", []),
        ("https://sipelita.jambikota.go.id/login?next=/", []),
        ("https://sipelita.jambikota.go.id:8443/", []),
        ("jambikota.go.id", ["apex"]),
        ("https://jambikota.go.id/", ["apex"]),
        ("evil-jambikota.go.id", ["default"]),  # ends with the text, not the labels
        ("sipelita-jambikota.go.id", ["default"]),
        ("jambikota.go.id.evil.example", ["default"]),
        ("https://sipelita.jambikota.go.id.evil.example/", ["default"]),
        ("https://jambikota.go.id@evil.example/", ["invalid"]),  # user-info trick
        (
            "https://evil.example.net\\@sipelita.jambikota.go.id/",
            ["invalid"],
        ),  # WHATWG: evil
        ("https://sipelita.jambikota.go.id:notaport/", ["invalid"]),
        ("sipelita.onrender.com", ["default"]),
        ("10.20.30.40", ["invalid"]),
        ("https://10.20.30.40/", ["invalid"]),
        ("ftp://sipelita.jambikota.go.id/", ["invalid"]),
        ("-bad-.jambikota.go.id", ["invalid"]),
        ("sipelita..jambikota.go.id", ["invalid"]),
        ("https://[::1]/", ["invalid"]),
        ("", ["invalid"]),
        (42, ["invalid"]),
    ],
)
def test_city_subdomain_compares_labels(value, kinds):
    found = list(hosts.city_subdomain(value, {}, CONTEXT))
    assert [v.kind for v in found] == kinds


@pytest.mark.parametrize(
    ("value", "kinds"),
    [
        ("https://git.jambikota.go.id/dpmptsp/sipelita", []),
        ("https://GIT.jambikota.go.id/x", []),
        ("https://git.jambikota.go.id.evil.example/x", ["outside"]),
        ("https://github.com/vendor/sipelita", ["outside"]),
        ("https://git.jambikota.go.id:8443/x", ["outside"]),
        ("http://git.jambikota.go.id/x", ["invalid"]),
        ("git@git.jambikota.go.id:dpmptsp/sipelita.git", ["invalid"]),
        ("https://git.jambikota.go.id:99999/x", ["invalid"]),
        ("https://github.com\\@git.jambikota.go.id/vendor/app", ["invalid"]),
        ("https://git.jambikota.go.id", ["outside"]),  # no repository named
        ("https://git.jambikota.go.id/", ["outside"]),
        ("https://git.jambikota.go.id/../x", ["invalid"]),
        ("https://git.jambikota.go.id/a/%2e%2e/x", ["invalid"]),
        (None, ["invalid"]),
    ],
)
def test_url_under_compares_scheme_host_and_path_segments(value, kinds):
    found = list(
        hosts.url_under(value, {"prefixes": ["https://git.jambikota.go.id/"]}, CONTEXT)
    )
    assert [v.kind for v in found] == kinds


def test_url_under_matches_whole_path_segments():
    params = {"prefixes": ["https://github.com/pemkot-jambi/"]}
    assert (
        list(hosts.url_under("https://github.com/pemkot-jambi/app", params, CONTEXT))
        == []
    )
    outside = list(
        hosts.url_under("https://github.com/pemkot-jambi-palsu/app", params, CONTEXT)
    )
    assert [v.kind for v in outside] == ["outside"]
    climbing = "https://github.com/pemkot-jambi/../vendor/app"
    assert [v.kind for v in hosts.url_under(climbing, params, CONTEXT)] == ["invalid"]


@pytest.mark.parametrize(
    ("uris", "kinds"),
    [
        (["https://sipelita.jambikota.go.id/auth/callback"], []),
        (["https://SIPELITA.jambikota.go.id./auth/callback"], []),
        (["http://sipelita.jambikota.go.id/auth/callback"], ["not-https"]),
        (["https://evil.example/auth/callback"], ["foreign-host"]),
        (["https://other.jambikota.go.id/auth/callback"], ["foreign-host"]),
        (["https://sipelita.jambikota.go.id/*"], ["invalid"]),
        (["https://sipelita.jambikota.go.id/cb#x"], ["invalid"]),
        (["https://evil.example\\@sipelita.jambikota.go.id/"], ["invalid"]),
        ([42], ["invalid"]),
    ],
)
def test_redirect_uris_stay_on_the_apps_own_host(uris, kinds):
    context = CheckContext(
        profile={"domain": "jambikota.go.id"},
        manifest={"domain": {"fqdn": "sipelita.jambikota.go.id"}},
    )
    found = list(hosts.redirect_uris({"redirect_uris": uris}, {}, context))
    assert [v.kind for v in found] == kinds


def test_redirect_uris_without_a_declared_host():
    context = CheckContext(profile={"domain": "jambikota.go.id"})
    sso = {"redirect_uris": ["https://sipelita.jambikota.go.id/cb"]}
    assert [v.kind for v in hosts.redirect_uris(sso, {}, context)] == ["no-fqdn"]
