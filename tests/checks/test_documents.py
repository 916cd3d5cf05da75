from __future__ import annotations

from pathlib import Path

import pytest

from spbe_lint.checks import CheckContext, documents


def _context(folder: Path, present: bool = True) -> CheckContext:
    return CheckContext(profile={}, folder=folder, documents_present=present)


@pytest.fixture
def submission(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "manual.pdf").write_bytes(b"%PDF-1.7 ...")
    (tmp_path / "docs" / "kosong.md").write_text("")
    return tmp_path


@pytest.mark.parametrize(
    ("reference", "kinds", "manual"),
    [
        ("docs/manual.pdf", [], False),
        ("docs/tidak-ada.pdf", ["not-found"], False),
        ("docs", ["not-found"], False),  # a folder is not a document
        ("docs/kosong.md", ["empty"], False),
        ("../rahasia.txt", ["outside"], False),
        ("docs/../../rahasia.txt", ["outside"], False),
        ("/etc/passwd", ["outside"], False),
        ("https://docs.jambikota.go.id/sipelita/manual.pdf", ["manual-link"], True),
    ],
)
def test_references_inside_the_submission(submission, reference, kinds, manual):
    found = list(documents.document_exists(reference, {}, _context(submission)))
    assert [v.kind for v in found] == kinds
    assert all(v.needs_review == manual for v in found)


def test_a_link_out_of_the_folder_is_outside(submission, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "secret.txt"
    elsewhere.write_text("x")
    (submission / "docs" / "link.txt").symlink_to(elsewhere)
    found = list(documents.document_exists("docs/link.txt", {}, _context(submission)))
    assert [v.kind for v in found] == ["outside"]


def test_only_the_manifest_submitted_means_manual(submission):
    context = _context(submission, present=False)
    (found,) = documents.document_exists("docs/tidak-ada.pdf", {}, context)
    assert (found.kind, found.needs_review) == ("manual", True)


def test_presence_is_a_repository_or_any_referenced_document(tmp_path, submission):
    assert documents.present(submission, ["docs/manual.pdf", "docs/lain.pdf"])
    assert not documents.present(submission, ["docs/lain.pdf"])
    assert not documents.present(submission, ["https://example.go.id/x.pdf"])
    (tmp_path / ".git").mkdir()
    assert documents.present(tmp_path, [])
    assert not documents.present(None, ["docs/manual.pdf"])


def test_a_rule_may_accept_links_the_probe_will_fetch(submission):
    link = "https://sipelita.jambikota.go.id/api/openapi.json"
    context = _context(submission)
    assert list(documents.document_exists(link, {"links": "accept"}, context)) == []
