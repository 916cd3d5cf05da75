"""One application, one verdict: a report over several manifests, split by
application. A pure function of the Report, for any human reporter.

Manifests are grouped by ``app.id`` (the Diskominfo inventory number), or by
their own path when they carry none. Each group becomes a sub-report holding
only its manifests, their findings and their unreadable files, so that
``scoring.score`` gives it its own verdict and score. A finding belongs to the
manifest at its path; one in an evidence file (an OpenAPI description, a
dataset sample) to the manifest whose folder holds that file; one at an
endpoint URL to the manifest whose ``domain.fqdn`` is that host. What matches
none (rare: a probe of a URL no manifest names) is kept in a group of its own
rather than dropped.

Two manifests with one ``app.id`` are one application judged on both: usually
a copy left behind, or two submissions of one application in one folder. The
report says so (``duplicates``), and so does the command on standard error.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from spbe_lint.findings import InputFile, Report


@dataclass(frozen=True)
class Application:
    """One application of a report (by app.id) with its own findings."""

    key: str  # the app.id, or the manifest's path when it has none
    app_id: str | None
    title: str | None
    manifests: tuple[str, ...]  # paths, in report order
    report: Report  # this application's inputs, findings and problems only


@dataclass(frozen=True)
class Duplicate:
    """An app.id claimed by more than one manifest."""

    app_id: str
    manifests: tuple[str, ...]


OTHER = ""  # the key of findings that belong to no manifest

# The words human reports use about applications (HTML, Markdown).
WORDS: dict[str, dict[str, str]] = {
    "id": {
        "applications": "Aplikasi dalam laporan ini",
        "summary": "{apps} aplikasi dari {manifests} manifest: {ready} siap serah "
        "terima, {not_ready} belum siap",
        "app": "Aplikasi",
        "inventory": "Nomor inventaris",
        "manifests": "Manifest",
        "counted": "{findings} temuan dari {rules} aturan",
        "same_id": "Nomor inventaris {app_id} tercantum di {n} manifest ({paths}): "
        "dinilai sebagai satu aplikasi dengan satu putusan. Periksa apakah salah "
        "satunya salinan yang tertinggal.",
        "no_id": "tanpa nomor inventaris",
        "other": "Temuan yang tidak terkait dengan manifest mana pun",
    },
    "en": {
        "applications": "Applications in this report",
        "summary": "{apps} application(s) from {manifests} manifest(s): {ready} ready "
        "for handover, {not_ready} not ready",
        "app": "Application",
        "inventory": "Inventory number",
        "manifests": "Manifests",
        "counted": "{findings} findings from {rules} rules",
        "same_id": "Inventory number {app_id} is in {n} manifests ({paths}): judged "
        "as one application with one verdict. Check whether one of them is a copy "
        "left behind.",
        "no_id": "no inventory number",
        "other": "Findings that belong to no manifest",
    },
}


def counts(report: Report) -> tuple[int, int]:
    """Failing findings (not waived) and the rules they come from, each rule
    counted once per manifest as the score table counts it."""
    failing = [f for f in report.failures if f.waiver is None]
    return len(failing), len({(f.location.path, f.rule) for f in failing})


def duplicate_lines(applications: Iterable[Application], lang: str) -> list[str]:
    """The shared-app.id warning of each application, in words."""
    return [
        WORDS[lang]["same_id"].format(
            app_id=d.app_id, n=len(d.manifests), paths=", ".join(d.manifests)
        )
        for d in duplicates(applications)
    ]


def group(report: Report) -> tuple[Application, ...]:
    """The applications of *report*, in the order their first manifest comes."""
    keys: dict[str, str] = {}  # manifest path -> group key
    ids: dict[str, str | None] = {}
    titles: dict[str, str | None] = {}
    for item in report.inputs:
        identity = dict(item.identity)
        app_id = identity.get("app.id") or None
        key = app_id or item.path
        keys[item.path] = key
        ids.setdefault(key, app_id)
        titles.setdefault(key, identity.get("app.title"))
    for problem in report.problems:
        if problem.path not in keys:  # a file that could not be read at all
            keys[problem.path] = problem.path
            ids.setdefault(problem.path, None)
            titles.setdefault(problem.path, None)
    owner = _Owner(report.inputs, keys)
    findings: dict[str, list] = {key: [] for key in dict.fromkeys(keys.values())}
    for finding in report.findings:
        findings.setdefault(owner(finding.location.path), []).append(finding)
    groups = []
    for key, found in findings.items():
        paths = tuple(p for p, k in keys.items() if k == key)
        groups.append(
            Application(
                key=key,
                app_id=ids.get(key),
                title=titles.get(key),
                manifests=paths,
                report=replace(
                    report,
                    inputs=tuple(i for i in report.inputs if keys[i.path] == key),
                    findings=tuple(found),
                    problems=tuple(p for p in report.problems if keys[p.path] == key),
                ),
            )
        )
    kept = tuple(g for g in groups if g.key != OTHER or g.report.findings)
    # Nothing to group (no manifest was found): the report is one whole.
    return kept or (Application(OTHER, None, None, (), report),)


def duplicates(applications: Iterable[Application]) -> tuple[Duplicate, ...]:
    """Applications whose ``app.id`` more than one manifest carries."""
    return tuple(
        Duplicate(a.app_id, a.manifests)
        for a in applications
        if a.app_id is not None and len(a.report.inputs) > 1
    )


class _Owner:
    """Which group a finding's path belongs to."""

    def __init__(self, inputs: tuple[InputFile, ...], keys: dict[str, str]) -> None:
        self.keys = keys
        # Deepest folder first: a manifest in a sub-folder owns its own files.
        folders = [(posixpath.dirname(i.path), keys[i.path]) for i in inputs]
        self.folders = sorted(folders, key=lambda f: -len(f[0]))
        self.hosts: dict[str, str] = {}
        for item in inputs:
            host = dict(item.identity).get("domain.fqdn")
            if host:
                self.hosts.setdefault(host.lower(), keys[item.path])
        self.only = (
            next(iter(set(keys.values()))) if len(set(keys.values())) == 1 else None
        )

    def __call__(self, path: str) -> str:
        if path in self.keys:
            return self.keys[path]
        if "://" in path:
            host = (urlsplit(path).hostname or "").lower()
            if host in self.hosts:
                return self.hosts[host]
        else:
            for folder, key in self.folders:
                if not folder or path.startswith(folder + "/"):
                    return key
        return self.only if self.only is not None else OTHER
