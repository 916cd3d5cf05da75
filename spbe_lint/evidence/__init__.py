"""Judges of the evidence a submission carries, not only what its manifest says.

One module per kind of evidence (an OpenAPI document, dataset schemas and samples,
the repository's own files). Each is fed by whoever has the thing (a file in
``check``, a fetched copy in ``probe``) and yields Violations whose ``location``
points into the evidence file itself: path, 1-based line and column, JSON Pointer.
"""
