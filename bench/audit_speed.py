"""How fast is spbe-lint audit, static and with probes, against its yardsticks?

Generates 1,000 application folders (varied manifests from the compliant
example, a few broken; each with its documents), then measures in one run:

(a) static: ``spbe-lint audit apps/`` (whole process: results file, CSV and
    dashboard) against ``check-jsonschema`` validating the same 1,000 manifests
    against the manifest schema alone, twice: COLD (an empty cache folder each
    round: everything checked, the secret scan included) and WARM (the cache
    folder an earlier run left, nothing changed: every application's result
    reused, as in an audit run again on the same day). Target: ratio <= 0.5.
(b) memory: the audit's peak RSS for 250 and for 1,000 applications, cold
    (results are streamed, so it should stay flat).
(c) with probes: the 200 applications listed in a CSV inventory are served by
    loopback HTTPS servers (real TLS from a test CA, every host pointed at them
    with --connect-to semantics; a child process) that add 50 ms to every
    response; ``audit --probe`` at concurrency 32. ideal = requests x 50 ms /
    concurrency; target: ratio <= 1.5, at most 2 requests in flight per host.
    Twice: FIRST (every application's static part checked too: on 2 CPUs its
    secret scan, not the probe, sets the pace) and AGAIN (nothing changed, as a
    nightly re-probe: the static parts remembered, every endpoint probed).

    pip install -e '.[bench]' && python bench/audit_speed.py [--count 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchlib import BIN, EXAMPLE, SCHEMA, describe, interleaved, probe_fixtures

ISSUER = "https://sso.jambikota.go.id/realms/jambikota"

# (old, new, every n-th file): the same variations as bench/check_speed.py.
VARIATIONS = [
    ("fqdn: {host}", "fqdn: app-{i}.example.com", 10),
    ('nip: "198703122010012003"', "nip: 198703122010012003", 25),
    ("      via: splpd", "      via: direct", 15),
    ("open_high: 0", "open_high: 2", 20),
    ("status: production", "status: development", 7),
    ("category: aplikasi_khusus", "category: aplikasi_lain", 30),
    ("hosting:\n  provider:", "hostng:\n  provider:", 40),
    ("  dpo:\n", "  dpoo:\n", 35),
]
OPDS = [
    "Dinas Kesehatan",
    "Dinas Pendidikan",
    "Badan Pendapatan Daerah",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "Dinas Komunikasi dan Informatika",
]


def generate(folder: Path, count: int) -> list[Path]:
    """*count* submissions: app-NNNN/spbe.yaml and the documents it names."""
    import yaml

    from spbe_lint import engine

    base = EXAMPLE.read_text("utf-8")
    documents = [
        d
        for d in engine.document_references(yaml.safe_load(base))
        if not d.startswith(("https://", "http://"))
    ]
    rng = random.Random(1571)
    manifests = []
    for i in range(count):
        host = f"app-{i:04d}.jambikota.go.id"
        text = base.replace("name: sipelita", f"name: app-{i:04d}", 1)
        text = text.replace("sipelita.jambikota.go.id", host)
        text = text.replace(
            "owner_opd: Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
            f"owner_opd: {OPDS[i % len(OPDS)]}",
        )
        for pattern, new, every in VARIATIONS:
            if i % every == every - 1 or rng.random() < 0.02:
                text = text.replace(pattern.format(host=host), new.format(i=i), 1)
        if i % 97 == 96:
            text += "broken: [unclosed\n"  # a YAML syntax error
        target = folder / f"app-{i:04d}" / "spbe.yaml"
        target.parent.mkdir(parents=True)
        target.write_text(text, "utf-8")
        for name in documents:
            document = target.parent / name
            document.parent.mkdir(parents=True, exist_ok=True)
            document.write_text("dokumen / document\n", "utf-8")
        manifests.append(target)
    return manifests


def measured(
    command: list[str],
    cwd: Path,
    allowed: tuple[int, ...] = (0, 1),
    cache: Path | None = None,
):
    """Wall time and peak RSS (MiB) of one whole process (with *cache* as
    spbe-lint's cache folder, when given)."""
    env = {**os.environ, "CI": "1"}
    if cache is not None:
        env["SPBE_LINT_CACHE_DIR"] = str(cache)
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in allowed:
        sys.exit(f"{command[0]} exited {process.returncode}: {stderr[-500:]}")
    return elapsed, usage.ru_maxrss / 1024


def static(folder: Path, repeat: int) -> dict[str, Any]:
    manifests = sorted(str(p) for p in (folder / "apps").glob("*/spbe.yaml"))
    audit = [
        str(BIN / "spbe-lint"),
        "audit",
        "apps",
        "--isolated",
        "--results",
        "r.jsonl",
        "--csv",
        "audit.csv",
        "--dashboard",
        "audit.html",
        "--force",  # each round starts again on the results file
    ]
    cjs = [str(BIN / "check-jsonschema"), "--schemafile", str(SCHEMA), *manifests]
    rounds = iter(range(1_000_000))

    def cold() -> float:
        # A cache folder of its own, empty: nothing remembered from any run
        # (rule pack, licence verdicts, secret scans, applications' results).
        fresh = folder / f"cache-cold-{next(rounds)}"
        try:
            return measured(audit, folder, cache=fresh)[0]
        finally:
            shutil.rmtree(fresh, ignore_errors=True)

    warm_cache = folder / "cache-warm"
    results = {
        "cold": interleaved(
            f"static audit, {len(manifests)} applications, COLD (wall)",
            cold,
            lambda: measured(cjs, folder)[0],
            repeat,
            "check-jsonschema",
        ),
        # An audit of unchanged submissions run again: the cache the previous
        # run left (the warm-up run fills it), every application reused.
        "warm": interleaved(
            f"static audit, {len(manifests)} applications, WARM (wall)",
            lambda: measured(audit, folder, cache=warm_cache)[0],
            lambda: measured(cjs, folder)[0],
            repeat,
            "check-jsonschema",
        ),
    }
    print(
        "  COLD: an empty cache folder each round; WARM: the folder the previous "
        "run left, no submission changed (results reused). Target <= 0.5 (issue 18)"
    )
    return results


def memory(folder: Path) -> dict[str, float]:
    """Peak RSS of the audit on the first 250 applications, then on all of them."""
    small = folder / "small.csv"
    apps = sorted(p.name for p in (folder / "apps").iterdir())
    small.write_text(
        "id,manifest\n" + "".join(f"{a},apps/{a}\n" for a in apps[:250]), "utf-8"
    )
    peaks = {}
    for name, inventory in (("250", "small.csv"), (str(len(apps)), "apps")):
        command = [str(BIN / "spbe-lint"), "audit", inventory, "--isolated"]
        command += ["--results", f"m{name}.jsonl", "--dashboard", f"m{name}.html"]
        fresh = folder / f"cache-memory-{name}"  # cold: every application checked
        peaks[name] = measured(command, folder, cache=fresh)[1]
        shutil.rmtree(fresh, ignore_errors=True)
    print(
        "peak RSS: "
        + ", ".join(f"{n} applications {mib:.0f} MiB" for n, mib in peaks.items())
    )
    return peaks


# ---- with probes ----------------------------------------------------------


DISCOVERY = {
    "issuer": ISSUER,
    "authorization_endpoint": ISSUER + "/protocol/openid-connect/auth",
    "token_endpoint": ISSUER + "/protocol/openid-connect/token",
    "jwks_uri": ISSUER + "/protocol/openid-connect/certs",
    "response_types_supported": ["code"],
    "subject_types_supported": ["public"],
    "id_token_signing_alg_values_supported": ["RS256"],
    "code_challenge_methods_supported": ["S256"],
}
JWKS = {"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "n": "AQAB", "e": "AQAB"}]}


def serve(ca_pem: str, queue: Any, latency: float, lean: bool) -> None:  # child
    import trustme

    GOOD_HEADERS, Reply, Server, json_reply, tls_context = probe_fixtures()

    ca = trustme.CA()
    ca.cert_pem.write_to_path(ca_pem)
    context = tls_context(ca, "*.jambikota.go.id", "sso.jambikota.go.id")
    active: Counter[str] = Counter()
    peak: Counter[str] = Counter()
    total: Counter[str] = Counter()
    lock = threading.Lock()

    def counted(reply: Any) -> Any:
        def handle(handler: Any) -> None:
            host = handler.headers.get("Host", "?")
            with lock:
                active[host] += 1
                total[host] += 1
                peak[host] = max(peak[host], active[host])
            try:
                time.sleep(latency)
            finally:
                # out of flight before answering: once the last byte is sent the
                # client may start its next request before this thread would
                # count down, and the peak would count that as an overlap
                with lock:
                    active[host] -= 1
            reply(handler) if callable(reply) else reply.send(handler)

        return handle

    def stats(handler: Any) -> None:
        with lock:
            body = json.dumps({"peak": dict(peak), "requests": sum(total.values())})
            peak.clear()
            total.clear()
        Reply(200, [("Content-Type", "application/json")], body).send(handler)

    def login(handler: Any) -> None:
        host = handler.headers.get("Host", "")
        target = (
            f"{ISSUER}/protocol/openid-connect/auth?response_type=code&client_id="
            f"{host.split('.')[0]}&redirect_uri=https://{host}/callback&scope=openid"
        )
        Reply(302, [("Location", target)]).send(handler)

    def to_https(handler: Any) -> None:
        host = handler.headers.get("Host", "")
        Reply(301, [("Location", f"https://{host}/")]).send(handler)

    page = Reply(200, GOOD_HEADERS, "<html><body>app</body></html>")
    routes = {
        "/": counted(page),
        "/login": counted(login),
        "/health": counted(json_reply({"status": "UP"})),
        "/realms/jambikota/.well-known/openid-configuration": counted(
            json_reply(DISCOVERY)
        ),
        "/realms/jambikota/protocol/openid-connect/certs": counted(json_reply(JWKS)),
        "/.well-known/security.txt": counted(
            Reply(
                200,
                [("Content-Type", "text/plain; charset=utf-8")],
                "Contact: mailto:csirt@jambikota.go.id\nExpires: 2099-01-01T00:00:00Z\n",
            )
        ),
        "/__stats": stats,
    }
    not_found = counted(Reply(404, [("Content-Type", "text/plain")], "not found"))
    https = Server(routes, tls=context, default=not_found)
    handler = https.httpd.RequestHandlerClass
    handler.server_version, handler.sys_version = "nginx", ""
    plain = Server({"/__stats": stats})
    plain.default = counted(to_https)
    if lean:  # the same answers and delay, the server's own work cut (probe_speed)
        from probe_speed import _leaner

        for server in (https, plain):
            _leaner(server)
    with https, plain:
        queue.put((https.port, plain.port))
        queue.get()  # until the parent is done


def server_stats(port: int, *, tls: bool = True) -> dict[str, Any]:
    import http.client
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = (
        http.client.HTTPSConnection("127.0.0.1", port, context=context)
        if tls
        else http.client.HTTPConnection("127.0.0.1", port)
    )
    connection.request("GET", "/__stats", headers={"Host": "stats"})
    data = json.loads(connection.getresponse().read())
    connection.close()
    return data


def probed(
    folder: Path, count: int, concurrency: int, latency: float, lean: bool
) -> dict:
    ca_pem = str(folder / "ca.pem")
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=serve, args=(ca_pem, queue, latency, lean))
    child.start()
    https_port, http_port = queue.get(timeout=30)
    apps = sorted(p.name for p in (folder / "apps").iterdir())[:count]
    (folder / "probe.csv").write_text(
        "id,manifest\n" + "".join(f"{a},apps/{a}\n" for a in apps), "utf-8"
    )
    try:
        audit_in_process(folder, "probe.csv", 2, (https_port, http_port), ca_pem, 2)
        server_stats(https_port)
        server_stats(http_port, tls=False)
        runs = {}
        for name in ("first", "again"):
            elapsed, outcome = audit_in_process(
                folder,
                "probe.csv",
                concurrency,
                (https_port, http_port),
                ca_pem,
                None,
                name=name,
            )
            tls, plain = server_stats(https_port), server_stats(http_port, tls=False)
            runs[name] = (elapsed, outcome, tls, plain)
    finally:
        queue.put("done")
        child.join(timeout=10)
        if child.is_alive():
            child.terminate()
    figures = {}
    for name, (elapsed, outcome, tls, plain) in runs.items():
        requests = outcome.requests
        ideal = requests * latency / concurrency
        worst = max((n for h, n in tls["peak"].items() if h != "stats"), default=0)
        served = tls["requests"] + plain["requests"]
        print(
            f"with probes ({name.upper()}), {len(apps)} applications at concurrency "
            f"{concurrency}, latency {latency * 1000:.0f} ms: {elapsed:.2f} s for "
            f"{requests} requests (server saw {served}); ideal {ideal:.2f} s; ratio "
            f"{elapsed / ideal:.2f} (target <= 1.5); most in flight to one host {worst}"
        )
        figures[name] = {
            "seconds": elapsed,
            "requests": requests,
            "ideal": ideal,
            "ratio": elapsed / ideal,
            "peak_per_host": worst,
        }
    print(
        "  FIRST: every static part checked as well (cold); AGAIN: the same "
        "inventory unchanged, static parts remembered, every endpoint probed"
    )
    return figures


def audit_in_process(
    folder: Path,
    inventory: str,
    concurrency: int,
    ports: tuple[int, int],
    ca_pem: str,
    limit: int | None,
    name: str = "warm-up",
) -> tuple[float, Any]:
    from spbe_lint import app
    from spbe_lint.audit import runner
    from spbe_lint.probes.settings import ProbeRequest

    if limit is not None:  # a warm-up on the first few applications
        apps = sorted(p.name for p in (folder / "apps").iterdir())[:limit]
        (folder / "warm.csv").write_text(
            "id,manifest\n" + "".join(f"{a},apps/{a}\n" for a in apps), "utf-8"
        )
        inventory = "warm.csv"
    options = runner.AuditOptions(
        jobs=os.cpu_count() or 1,  # as the command's default
        inventory=folder / inventory,
        results=folder / f"probe-{name}.jsonl",
        run=app.RunOptions(
            isolated=True,
            cwd=folder,
            probe=ProbeRequest(
                connect_to=(  # every host, curl's empty HOST
                    f":443:127.0.0.1:{ports[0]}",
                    f":80:127.0.0.1:{ports[1]}",
                ),
                ca_bundle=Path(ca_pem),
                allow_network=("127.0.0.0/8",),
                timeout=15,
                concurrency=concurrency,
            ),
        ),
    )
    start = time.perf_counter()
    outcome = runner.audit(options)
    return time.perf_counter() - start, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--probe-count", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--skip-static", action="store_true")
    parser.add_argument("--skip-probe", action="store_true")
    parser.add_argument(
        "--server",
        choices=("lean", "fixture"),
        default="lean",
        help="lean: the tests' fixture server with reused threads and lean header "
        "parsing, as in bench/probe_speed.py (the default); fixture: as it is",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    for tool in ("spbe-lint", "check-jsonschema"):
        if not (BIN / tool).exists():
            sys.exit(f"{tool} is not installed beside {sys.executable}")
    with tempfile.TemporaryDirectory(prefix="spbe-audit-bench-") as temporary:
        run_bench(args, Path(temporary))


def run_bench(args: argparse.Namespace, folder: Path) -> None:
    figures: dict[str, Any] = {"environment": describe()}
    # A cache of the bench's own, removed with the folder.
    os.environ["SPBE_LINT_CACHE_DIR"] = str(folder / "cache")
    generate(folder / "apps", args.count)
    figures["count"] = args.count
    if not args.skip_static:
        figures["static"] = static(folder, args.repeat)
        figures["peak_rss_mib"] = memory(folder)
    if not args.skip_probe:
        figures["probe"] = probed(
            folder,
            args.probe_count,
            args.concurrency,
            args.latency,
            args.server == "lean",
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), "utf-8")


if __name__ == "__main__":
    main()
