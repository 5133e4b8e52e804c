"""The OData v4 feed: typed entity sets over published versions, with server-driven paging."""
