"""How fast is spbe-lint probe against the ideal, and against itself sequentially?

200 loopback endpoints (app000..app199.jambikota.go.id, real TLS from a test CA,
pointed at loopback with --connect-to semantics) on a server that adds 50 ms to
every response. Each is probed with the default checks (the endpoint rules of
the bundled pack; exposure checks are opt-in and off). The server runs in a
child process, so its TLS work does not share the probe's interpreter; by
default it is the tests' fixture server with reused threads and leaner request
parsing (``--server lean``, see ``_leaner``: same answers, same delay), and
``--server fixture`` runs the fixture server as it is.

    ideal      = requests made x 50 ms / concurrency
    sequential = the same run with --concurrency 1, in the same process

The target is <= 1.5 x ideal at concurrency 32 with at most 2 requests in
flight per host (the server counts them by Host header).

    python bench/probe_speed.py [--endpoints 200] [--concurrency 32] [--latency 0.05]
                                [--repeat N] [--skip-sequential] [--server lean|fixture]

Each run prints its ratio, elapsed and ideal time, requests, the most requests
in flight to one host (counted by the server), and the CPU seconds of the
client (this process), of the server (the child) and of anything else on the
machine meanwhile (from /proc/stat: other work skews a run); with --repeat N,
the median of the N runs.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchlib import probe_fixtures


def serve(
    ca_pem: str, queue: Any, latency: float, lean: bool = True
) -> None:  # in the child process
    import trustme

    GOOD_HEADERS, Reply, Server, json_reply, tls_context = probe_fixtures()

    ca = trustme.CA()
    ca.cert_pem.write_to_path(ca_pem)
    context = tls_context(ca, "*.jambikota.go.id", "sso.jambikota.go.id")
    issuer = "https://sso.jambikota.go.id/realms/jambikota"
    discovery = {
        "issuer": issuer,
        "authorization_endpoint": issuer + "/protocol/openid-connect/auth",
        "token_endpoint": issuer + "/protocol/openid-connect/token",
        "jwks_uri": issuer + "/protocol/openid-connect/certs",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
    }
    active: Counter[str] = Counter()
    peak: Counter[str] = Counter()
    lock = threading.Lock()

    def counted(reply: Any) -> Any:
        def handle(handler: Any) -> None:
            host = handler.headers.get("Host", "?")
            with lock:
                active[host] += 1
                peak[host] = max(peak[host], active[host])
            try:
                time.sleep(latency)
                reply.send(handler)
            finally:
                with lock:
                    active[host] -= 1

        return handle

    def stats(handler: Any) -> None:
        with lock:
            # the server's CPU time (all its threads): the 2 cores are shared
            body = json.dumps({"peak": dict(peak), "cpu": time.process_time()})
            peak.clear()
        Reply(200, [("Content-Type", "application/json")], body).send(handler)

    page = Reply(200, GOOD_HEADERS, "<html><body>app</body></html>")
    routes = {
        "/": counted(page),
        "/realms/jambikota/.well-known/openid-configuration": counted(
            json_reply(discovery)
        ),
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
    handler.server_version, handler.sys_version = "nginx", ""  # no version banner

    def to_https(handler: Any) -> None:
        host = handler.headers.get("Host", "")
        Reply(301, [("Location", f"https://{host}/")]).send(handler)

    plain = Server({"/__stats": stats})
    plain.default = _redirect_counted(to_https, latency, active, peak, lock)
    if lean:
        for server in (https, plain):
            _leaner(server)
    with https, plain:
        queue.put((https.port, plain.port))
        queue.get()  # wait for the parent to finish


def _redirect_counted(send: Any, latency: float, active: Any, peak: Any, lock: Any):
    def handle(handler: Any) -> None:
        host = handler.headers.get("Host", "?")
        with lock:
            active[host] += 1
            peak[host] = max(peak[host], active[host])
        try:
            time.sleep(latency)
            send(handler)
        finally:
            with lock:
                active[host] -= 1

    return handle


def _leaner(server: Any) -> None:
    """The test fixture's server with its own work cut, not what it answers.

    ``tests.probe_servers.Server`` is a ThreadingHTTPServer: a new thread for
    every connection, request headers parsed by the email package, and a log
    of every request's headers kept for the tests. On two cores shared with
    the client, that work (some 40% of the server's CPU) delayed answers
    beyond the 50 ms the bench adds, and so measured the server. Here threads
    are kept and reused, headers are read line by line into a dict, and
    nothing is logged. The same TLS context, handler class, routes, status
    lines, headers, bodies and delays answer every request.
    """
    import collections
    import queue as queues

    base = server.httpd.RequestHandlerClass

    class Headers(dict):
        def get(self, key: str, default: Any = None) -> Any:
            return dict.get(self, key.lower(), default)

    class Handler(base):  # type: ignore[misc, valid-type]
        def parse_request(self) -> bool:
            self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
            words = self.requestline.split()
            if len(words) != 3 or words[2] != "HTTP/1.1":
                self.close_connection = True
                self.send_error(400, "HTTP/1.1 request expected")
                return False
            self.command, self.path, self.request_version = words
            headers = Headers()
            for _ in range(100):
                line = self.rfile.readline(65537)
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("iso-8859-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            self.headers = headers  # type: ignore[assignment]
            self.close_connection = headers.get("connection", "").lower() == "close"
            return True

    server.httpd.RequestHandlerClass = Handler
    server.requests = collections.deque(maxlen=0)  # the fixture's log, not kept
    httpd = server.httpd
    waiting: queues.SimpleQueue[Any] = queues.SimpleQueue()
    idle = [0]
    lock = threading.Lock()

    def work(request: Any, address: Any) -> None:
        while True:
            httpd.process_request_thread(request, address)  # handles, then closes
            with lock:
                idle[0] += 1
            request, address = waiting.get()

    def process_request(request: Any, address: Any) -> None:
        with lock:
            reuse = idle[0] > 0
            if reuse:
                idle[0] -= 1  # that thread is spoken for
        if reuse:
            waiting.put((request, address))
        else:
            threading.Thread(target=work, args=(request, address), daemon=True).start()

    httpd.process_request = process_request


def probe_once(
    endpoints: int, concurrency: int, ports: tuple[int, int], ca_pem: str
) -> tuple[float, int, float]:
    """Elapsed seconds, requests sent, and the client's CPU seconds."""
    from spbe_lint import rulepack
    from spbe_lint.probes import addresses, checks, collect
    from spbe_lint.probes.facts import Endpoint

    pack = rulepack.load_pack()
    rules = [r for r in pack.rules if r.target == "endpoint"]
    names = list(dict.fromkeys(n for r in rules for n in r.probe))
    options = collect.ProbeOptions(
        timeout=15,
        concurrency=concurrency,
        connect_to={
            ("", "443"): ("127.0.0.1", ports[0]),
            ("", "80"): ("127.0.0.1", ports[1]),
        },
        ca_bundle=Path(ca_pem),
        allow_networks=addresses.parse_networks(["127.0.0.0/8"]),
    )
    targets = [
        Endpoint(f"https://app{i:03d}.jambikota.go.id/") for i in range(endpoints)
    ]
    cpu = time.process_time()
    start = time.perf_counter()
    facts, requests = collect.collect(targets, pack.profile, options, names)
    verdicts = checks.judge(facts, names)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    failures = [v for found in verdicts.values() for v in found if v.status == "fail"]
    if failures:  # the bench server is compliant: a failure is a bench bug
        print(f"unexpected failures: {failures[:3]}", file=sys.stderr)
    return elapsed, requests, cpu


def stats(port: int) -> tuple[dict[str, int], float]:
    """The most requests in flight per host since the last call (HTTPS and
    plain HTTP together: they share the counters), and the server's CPU time."""
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context)
    connection.request("GET", "/__stats", headers={"Host": "stats"})
    data = json.loads(connection.getresponse().read())
    connection.close()
    return data["peak"], data["cpu"]


def busy() -> float:
    """CPU seconds used on the whole machine so far (Linux; 0 elsewhere): what
    the client and the server did not use of it was someone else's."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(f) for f in fields]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument(
        "--repeat", type=int, default=1, help="measured runs (median reported)"
    )
    parser.add_argument("--skip-sequential", action="store_true")
    parser.add_argument(
        "--server",
        choices=("lean", "fixture"),
        default="lean",
        help="lean: the fixture server with reused threads and no header log "
        "(the default); fixture: tests.probe_servers.Server as it is",
    )
    args = parser.parse_args()
    if importlib.util.find_spec("trustme") is None:
        sys.exit("trustme is not installed (the test CA): pip install '.[bench]'")
    with tempfile.TemporaryDirectory(prefix="spbe-probe-bench-") as folder:
        run_bench(args, folder)


def run_bench(args: argparse.Namespace, folder: str) -> None:
    ca_pem = str(Path(folder) / "ca.pem")
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(
        target=serve, args=(ca_pem, queue, args.latency, args.server == "lean")
    )
    child.start()
    https_port, http_port = queue.get(timeout=30)
    ports = (https_port, http_port)
    print(
        f"endpoints {args.endpoints}, latency {args.latency * 1000:.0f} ms, "
        f"concurrency {args.concurrency}, {os.cpu_count()} CPUs, "
        f"{args.server} server"
    )
    print(
        "run  ratio  elapsed  ideal  requests  peak/host  "
        "client-cpu  server-cpu  other-cpu"
    )
    runs: list[dict[str, float]] = []
    try:
        probe_once(2, 2, ports, ca_pem)  # warm up: imports, the rule pack cache
        for number in range(1, max(1, args.repeat) + 1):
            _, server_cpu = stats(https_port)
            machine = busy()
            elapsed, requests, client_cpu = probe_once(
                args.endpoints, args.concurrency, ports, ca_pem
            )
            machine = busy() - machine
            per_host, server_after = stats(https_port)
            server_cpu = server_after - server_cpu
            ideal = requests * args.latency / args.concurrency
            worst = max((n for h, n in per_host.items() if h != "stats"), default=0)
            run = {
                "ratio": elapsed / ideal if ideal else float("nan"),
                "elapsed": elapsed,
                "ideal": ideal,
                "requests": requests,
                "peak": worst,
                "client": client_cpu,
                "server": server_cpu,
                "other": max(0.0, machine - client_cpu - server_cpu),
            }
            runs.append(run)
            print(
                f"{number:>3}  {run['ratio']:5.2f}  {elapsed:6.2f}s  {ideal:4.2f}s  "
                f"{requests:>8}  {worst:>9}  {client_cpu:9.2f}s  {server_cpu:9.2f}s  "
                f"{run['other']:8.2f}s",
                flush=True,
            )
        if len(runs) > 1:
            ratios = sorted(r["ratio"] for r in runs)
            print(
                f"{len(runs)} runs: ratio median {statistics.median(ratios):.2f} "
                f"(min {ratios[0]:.2f}, max {ratios[-1]:.2f}); elapsed median "
                f"{statistics.median(r['elapsed'] for r in runs):.2f} s; "
                f"CPU median client {statistics.median(r['client'] for r in runs):.2f} s, "
                f"server {statistics.median(r['server'] for r in runs):.2f} s"
            )
        worst = max(r["peak"] for r in runs)
        ratio = statistics.median(r["ratio"] for r in runs)
        print(
            f"ratio {ratio:.2f} (target <= 1.5); most requests in flight to one "
            f"host (server-side, HTTPS and HTTP): {worst:.0f} (limit 2)"
        )
        if not args.skip_sequential:
            sequential, count, _ = probe_once(args.endpoints, 1, ports, ca_pem)
            elapsed = statistics.median(r["elapsed"] for r in runs)
            print(
                f"sequential (concurrency 1): {sequential:.2f} s for {count} requests; "
                f"speed-up {sequential / elapsed:.1f}x"
            )
    finally:
        queue.put("done")
        child.join(timeout=10)
        if child.is_alive():
            child.terminate()


if __name__ == "__main__":
    main()
