"""A believable demo project, deterministic for a seed."""
