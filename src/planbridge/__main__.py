"""``python -m planbridge``: the same as the ``planbridge`` command."""

from planbridge.cli.main import main

main()
