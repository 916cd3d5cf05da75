"""The probe's settings: the command line over the configuration file.

``--resolve``, ``--connect-to``, ``--ca-bundle``, ``--allow-network``,
``--timeout``, ``--concurrency`` and ``--exposure`` may also be written once in
``.spbe-lint.yaml`` (``probe:``), so that CI probes staging without repeating
them; never in a manifest, which strangers write. A value given on the command
line replaces the file's value for that setting. A bad value names where it
came from: the option, or the file, line and column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spbe_lint.errors import SpbeError, UsageError
from spbe_lint.i18n import LocalText

if TYPE_CHECKING:
    from spbe_lint.config import Config
    from spbe_lint.probes.collect import ProbeOptions


@dataclass(frozen=True)
class ProbeRequest:
    """What the command line asked for, not yet parsed (cheap to build)."""

    resolve: tuple[str, ...] = ()
    connect_to: tuple[str, ...] = ()
    ca_bundle: Path | None = None
    allow_network: tuple[str, ...] = ()
    timeout: float | None = None
    concurrency: int | None = None
    exposure: bool = False
    progress: bool = False


def options(request: ProbeRequest, config: Config) -> ProbeOptions:
    """The ProbeOptions of a run: each setting from the command line when given
    there, else from the configuration file, else the default."""
    from spbe_lint.probes import addresses, collect

    written = config.probe

    def entries(
        given: Sequence[str], key: str, option: str, parse: Callable[[str], Any]
    ) -> list[Any]:
        if given:
            try:
                return [parse(value) for value in given]
            except ValueError as exc:
                raise _bad_option(option, given, exc) from None
        parsed = []
        for index, value in enumerate(written.get(key, ())):
            try:
                parsed.append(parse(value))
            except ValueError as exc:
                raise _bad_entry(config, key, index, value, exc) from None
        return parsed

    resolve = dict(
        entries(request.resolve, "resolve", "--resolve", collect.parse_resolve)
    )
    connect_to = dict(
        entries(
            request.connect_to, "connect-to", "--connect-to", collect.parse_connect_to
        )
    )
    networks = entries(
        request.allow_network,
        "allow-network",
        "--allow-network",
        lambda value: addresses.parse_networks([value])[0],
    )
    return collect.ProbeOptions(
        timeout=request.timeout or written.get("timeout") or 15.0,
        concurrency=request.concurrency or written.get("concurrency") or 8,
        resolve=resolve,
        connect_to=connect_to,
        ca_bundle=request.ca_bundle or written.get("ca-bundle"),
        allow_networks=tuple(networks),
        exposure=request.exposure or bool(written.get("exposure")),
        progress=request.progress,
    )


def _bad_option(name: str, values: Sequence[str], exc: Exception) -> SpbeError:
    shown = ", ".join(values)
    return UsageError(
        LocalText(
            f"{name} tidak sah ({shown}): {exc}", f"invalid {name} ({shown}): {exc}"
        )
    )


def _bad_entry(
    config: Config, key: str, index: int, value: str, exc: Exception
) -> SpbeError:
    return config.error_at(
        ("probe", key, index),
        LocalText(
            f"probe.{key} tidak sah ({value}): {exc}",
            f"invalid probe.{key} ({value}): {exc}",
        ),
    )
