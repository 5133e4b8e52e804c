"""Published versions: immutable, numbered snapshots of the live plan, serialized once."""
