"""Probes: the only network code. They gather facts about deployed endpoints;
endpoint rules judge those facts (``probes.judges``).

Only ``transport`` opens sockets, always through the SSRF guard
(``addresses``). Heavy imports (requests, ssl, cryptography,
openapi-spec-validator) happen inside functions, so importing this package
costs nothing on the offline ``check`` path.
"""
