"""Loaded by the Python processes tests/test_docs.py starts (PYTHONPATH): a
command the documentation marks runnable must work offline, so any attempt to
leave the machine is refused and written to $SPBE_DOCS_NETWORK_LOG, which the
test reads. Refusing alone is not enough: a probe reports a name that does not
resolve as inconclusive and exits 0.

pytest-socket guards the test process only; this guards its children.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

_real_connect = socket.socket.connect
_real_getaddrinfo = socket.getaddrinfo


class OfflineError(OSError):
    pass


def _refuse(what: str) -> OfflineError:
    log = os.environ.get("SPBE_DOCS_NETWORK_LOG")
    if log:
        with Path(log).open("a", encoding="utf-8") as file:
            file.write(what + "\n")
    return OfflineError(f"documentation test: no network ({what})")


def _loopback(host: object) -> bool:
    if host in ("localhost", None):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _connect(self: socket.socket, address: object) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0] if isinstance(address, tuple) else address
        if not _loopback(host):
            raise _refuse(f"connect {host}")
    _real_connect(self, address)


def _getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    if not _loopback(host):
        raise _refuse(f"resolve {host}")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _connect  # type: ignore[method-assign]
socket.getaddrinfo = _getaddrinfo  # type: ignore[assignment]
