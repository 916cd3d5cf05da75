"""What the probe looks at in an application of an audit: the endpoints its
manifest declares (with the inventory's URL), the declarations naming them and
the manifest's data, for a run that probes. A remembered static result
(``reuse``) holds none of them, so they are read again from the manifest."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from spbe_lint import app
from spbe_lint.audit import inventory
from spbe_lint.findings import InputProblem


def probe_ready(context: Any, application: inventory.Application, static: Any) -> Any:
    """A remembered static result, with what the probe needs when this run
    probes: the manifest's endpoints and data, read again from the manifest
    (unchanged: the entry's key covers every file's bytes)."""
    if not context.probing or static.resumed or static.problem is not None:
        return static
    assert application.manifest is not None  # remembered only with a manifest
    loaded = app.load_manifest(application.manifest, application.display)
    if isinstance(loaded, InputProblem):
        return static  # gone or changed since its key was made: not probed
    return replace(static, **for_probe(context, application, loaded[0]))


def for_probe(
    context: Any, application: inventory.Application, document: Any
) -> dict[str, Any]:
    """The endpoints to probe, the declarations naming them and the manifest's
    data, when this run probes (else nothing)."""
    if not context.probing:
        return {}
    from spbe_lint.probes import run
    from spbe_lint.probes.facts import Endpoint

    endpoints, declared = run.endpoints_from(document, context.settings.pack.profile)
    url = application.url
    if url and url not in {e.url for e in endpoints}:
        endpoints.insert(0, Endpoint(url, "app"))
    data = document.data if isinstance(document.data, dict) else None
    return {"endpoints": tuple(endpoints), "declared": declared, "manifest": data}
