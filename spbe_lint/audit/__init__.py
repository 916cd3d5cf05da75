"""spbe-lint audit: the city-wide view of a portfolio of applications.

inventory (which applications) -> runner (static checks, probes) -> journal
(one JSON line per application, streamed, resumable) -> summary (aggregated
from the journal) -> dashboard (HTML) and table (CSV).
"""
