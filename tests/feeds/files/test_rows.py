"""Rows read back from stored chunks for a file come out in the JSON feed's order."""

from __future__ import annotations

from sqlalchemy import select

from planbridge.feeds.files import rows
from planbridge.publishing.models import Version


def test_batched_reads_give_the_feeds_rows_in_order(client, published, db):
    body = client.get(published.url, headers=published.auth).json()
    with db.transaction() as session:
        ids = list(
            session.scalars(
                select(Version.id)
                .where(Version.project_id == published.project.id)
                .order_by(Version.published_at.desc())
            )
        )
        extract = rows.extract(session, ids, ["tasks", "links"])
    assert len(extract.chunks["tasks"]) > 2  # publish_at stores two rows per chunk
    for batch_bytes_max in (1, 10**9):
        read = [
            row
            for batch in rows.read_rows(
                db.engine, extract.chunks["tasks"], batch_bytes_max=batch_bytes_max
            )
            for row in batch
        ]
        assert read == body["tasks"]
    assert extract.row_count("tasks") == len(body["tasks"])
    assert extract.row_count("links") == len(body["links"])


def test_etag_names_the_chunks_and_the_variant():
    one = rows.Extract((1,), {"tasks": (rows.StoredChunk(7, 1, 2, 10),)})
    other = rows.Extract((1,), {"tasks": (rows.StoredChunk(8, 1, 2, 10),)})
    assert one.etag("csv") == one.etag("csv")
    assert one.etag("csv") != other.etag("csv")
    assert one.etag("csv", "bom=True") != one.etag("csv", "bom=False")
    assert one.etag("csv").startswith('W/"')
