"""CSV and XLSX downloads of feed tables, read from the same stored chunks as the JSON feed."""
