"""A host's connection lanes: at most ``per_host`` connections to one host at a
time, each kept alive for the next request on the same port when a response
was read whole. A lane's connection is opened by the function it is given
(``Transport``'s: pinned, and TLS-verified for https); HTTP/1.1 is spoken on
it by ``probes.http1``.
"""

from __future__ import annotations

import select
import threading
from collections.abc import Callable
from typing import Any

from spbe_lint.probes import http1

# Opens a connection to (scheme, host, port): a connected socket, TLS-wrapped
# and verified for https.
Connect = Callable[[str, str, int], Any]


class Lane:
    """One of a host's ``limits.per_host`` connection slots. A lane holds at most
    one open connection, kept alive between the requests of the tasks that take
    the lane in turn, so a host never has more than ``per_host`` connections
    open, idle ones included."""

    def __init__(self, connect: Connect, host: str) -> None:
        self.connect = connect
        self.host = host
        self.key: tuple[str, int] | None = None  # (scheme, port) of its connection
        self._connection: Connection | None = None

    def connection(self, scheme: str, port: int) -> Connection:
        """The lane's connection to *scheme*:*port* (opened when first used); a
        connection the lane holds to another port is closed first."""
        if self.key != (scheme, port) or self._connection is None:
            self.close()
            self._connection = Connection(self.connect, scheme, self.host, port)
            self.key = (scheme, port)
        return self._connection

    def close(self) -> None:
        """Close the lane's connection (before it is used for something else)."""
        if self._connection is not None:
            self._connection.close()
        self._connection, self.key = None, None


class Connection:
    """A pinned connection (TLS verified with the run's context for https),
    opened when the first request needs it and kept for the next one when a
    response was read whole and the server keeps it open."""

    def __init__(self, connect: Connect, scheme: str, host: str, port: int) -> None:
        self.connect = connect
        self.scheme = scheme
        self.host = host
        self.port = port
        default = 443 if scheme == "https" else 80
        self.host_header = host if port == default else f"{host}:{port}"
        self.sock: Any = None
        self.client: http1.Client | None = None

    def ready(self) -> bool:
        """Open and still usable. A kept-alive connection with something to
        read before a request was sent was closed by the server (or it sent
        what nobody asked for): it is not used again."""
        if self.sock is None or self.client is None or not self.client.idle:
            return False
        pending = getattr(self.sock, "pending", None)
        if self.client.buffered or (pending is not None and pending()):
            return False
        if not hasattr(select, "poll"):  # Windows
            return not select.select([self.sock], [], [], 0)[0]
        poller = select.poll()  # not select(): a descriptor may be above 1023
        poller.register(self.sock, select.POLLIN)
        return not poller.poll(0)

    def open(self) -> None:
        sock = self.connect(self.scheme, self.host, self.port)
        self.sock = sock
        self.client = http1.Client(sock)

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = self.client = None


class Lanes:
    """A host's lanes; a task takes the free lane best suited to it."""

    def __init__(self, connect: Connect, host: str, size: int) -> None:
        self.free = [Lane(connect, host) for _ in range(max(1, size))]
        self.all = tuple(self.free)
        self.ready = threading.Condition()

    def take(self, key: tuple[str, int] | None) -> Lane:
        """A free lane already connected to *key*, else an unused one, else
        the one released longest ago (its connection is then replaced)."""
        with self.ready:
            while not self.free:
                self.ready.wait()
            lane = next(
                (lane for lane in self.free if lane.key == key),
                next((lane for lane in self.free if lane.key is None), self.free[0]),
            )
            self.free.remove(lane)
            return lane

    def close_idle(self) -> None:
        with self.ready:
            for lane in self.free:
                lane.close()

    def give(self, lane: Lane) -> None:
        with self.ready:
            self.free.append(lane)
            self.ready.notify()
