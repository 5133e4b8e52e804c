"""The ``planbridge`` command line."""
