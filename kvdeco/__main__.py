"""``python -m kvdeco``: the command line (see :mod:`kvdeco.cli`)."""

from kvdeco.cli import main

raise SystemExit(main())
