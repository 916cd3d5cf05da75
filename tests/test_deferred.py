"""spbe_lint.deferred: modules a dependency imports but never uses here are
imported only if used, and never twice. Each case runs in a fresh interpreter:
what is at stake is sys.modules."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _python(script: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_identifier_checks_leave_ssl_and_pydoc_unimported_yet_usable():
    out = _python(
        """
        import sys
        from spbe_lint.checks import identifiers
        print(identifiers.nik_problem("1571015203900001"),
              identifiers.nik_problem("1571013203900001"),
              identifiers.npwp_problem("0213456790331000", __import__("datetime").date(2026, 1, 1)))
        print(sorted(m for m in ("ssl", "pydoc", "tempfile", "zipfile") if m in sys.modules))
        import stdnum.util
        # stdnum holds a stand-in; using it imports the one real module
        context = stdnum.util.ssl.create_default_context
        import ssl
        print(context is ssl.create_default_context, sys.modules["ssl"] is ssl)
        print(stdnum.util.get_module_description(__import__("stdnum.id.nik").id.nik)[:28])
        """
    )
    verdicts, unimported, same, description = out.splitlines()
    assert verdicts == "None date checksum"
    assert unimported == "[]"
    assert same == "True True"
    assert description == "The Nomor Induk Kependudukan"


def test_a_module_already_imported_is_left_as_it_is():
    out = _python(
        """
        import ssl
        from spbe_lint import deferred
        with deferred.only_for(("ssl",)):
            import stdnum.util
        print(stdnum.util.ssl is ssl)
        """
    )
    assert out == "True"


def test_a_stand_in_used_inside_the_block_becomes_the_real_module():
    out = _python(
        """
        import sys
        from spbe_lint import deferred
        with deferred.only_for(("pydoc",)):
            import pydoc
            print(type(pydoc).__name__, pydoc.splitdoc("one\\n\\ntwo")[0])
        real = sys.modules["pydoc"]
        print(type(real).__name__, real.splitdoc is pydoc.splitdoc)
        """
    )
    assert out.splitlines() == ["StandIn one", "module True"]


def test_an_unused_stand_in_is_forgotten_by_sys_modules():
    out = _python(
        """
        import sys
        from spbe_lint import deferred
        with deferred.only_for(("pydoc", "no_such_module_anywhere")):
            inside = type(sys.modules["pydoc"]).__name__
            try:
                import no_such_module_anywhere  # noqa: F401
            except ImportError:
                print("absent stays absent")
        print(inside, "pydoc" in sys.modules)
        import pydoc
        print(type(pydoc).__name__)
        """
    )
    assert out.splitlines() == ["absent stays absent", "StandIn False", "module"]


def test_jsonschema_rs_starts_without_socket_and_email_utils_still_works():
    out = _python(
        """
        import sys
        from spbe_lint import fastschema
        rs = fastschema._jsonschema_rs()
        print(rs.Draft202012Validator({"type": "integer"}).is_valid(3))
        print(sorted(m for m in ("socket", "calendar", "random") if m in sys.modules))
        import email.utils, socket
        print(email.utils.socket.getfqdn is socket.getfqdn, "@" in email.utils.make_msgid())
        print(email.utils.mktime_tz(email.utils.parsedate_tz("Thu, 01 Jan 1970 00:00:00 +0000")))
        """
    )
    assert out.splitlines() == ["True", "[]", "True True", "0"]
