"""What clients read: the JSON feed (and, later, OData and files) over published versions."""
