"""The ``chinhquyenso`` console script.

    chinhquyenso demo         migrate, load the demo locality and accounts, start everything
    chinhquyenso serve        the web server (gunicorn)
    chinhquyenso worker       the background worker (outbox relay + task queue)
    chinhquyenso simulators   the local simulators of external systems (SMS, Zalo, VNeID, …)
    chinhquyenso manage …     any Django management command (migrate, verify_audit, …)
"""

from __future__ import annotations

import os
import sys
import warnings

COMMANDS = ("demo", "serve", "worker", "simulators")


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyenso.settings")
    # Third-party deprecation notices (authlib under the OIDC simulator) are for developers, not for
    # someone starting the demo; `python -W default` still shows them.
    if not sys.warnoptions:
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        try:  # authlib forces its own warnings to "always" when imported; override that once here
            from authlib.deprecate import AuthlibDeprecationWarning

            warnings.filterwarnings("ignore", category=AuthlibDeprecationWarning)
        except ImportError:
            pass
    args = list(sys.argv[1:] if argv is None else argv)
    from django.core.management import execute_from_command_line

    if not args or args[0] in ("-h", "--help", "help"):
        print(__doc__)
        return
    if args[0] == "manage":
        execute_from_command_line(["chinhquyenso manage", *args[1:]])
    elif args[0] in COMMANDS:
        execute_from_command_line(["chinhquyenso", *args])
    else:
        print(f"Lệnh không hợp lệ: {args[0]}\n{__doc__}", file=sys.stderr)
        raise SystemExit(2)


if __name__ == "__main__":
    main()
