"""parse_file: every sample is recognised; unreadable or unknown files get a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from planbridge.errors import PlanBridgeError
from planbridge.imports import ImportFileError, detect_kind, parse_bytes, parse_file

SAMPLE_FORMATS = {
    "xer-parser_test.xer": "xer",
    "aspose_MultiprojectWithExternal.xer": "xer",
    "aspose_encoding1251.xer": "xer",
    "mpxj_percent-complete-8.4.xer": "xer",
    "mpxj_sample1.xml": "mspdi",
    "mpxj_mspditimephased.xml": "mspdi",
    "mpxj_mspdinulltasks.xml": "mspdi",
    "aspose_not-updated.xml": "mspdi",
}


@pytest.mark.parametrize(("name", "kind"), sorted(SAMPLE_FORMATS.items()))
def test_every_sample_is_recognised_and_parses_without_problems(
    samples: Path, name: str, kind: str
) -> None:
    schedule = parse_file(samples / name)

    assert schedule.source_format == kind
    assert schedule.problems == []
    assert schedule.tasks
    for task in schedule.tasks:
        assert task.duration_days >= 1
        assert task.start <= task.end
        if task.type == "milestone":
            assert task.start == task.end and task.duration_days == 1


def test_samples_list_is_complete(samples: Path) -> None:
    on_disk = {p.name for p in samples.iterdir() if p.suffix in (".xer", ".xml")}
    assert on_disk == set(SAMPLE_FORMATS)


def test_content_wins_over_a_misleading_extension(samples: Path) -> None:
    data = (samples / "mpxj_sample1.xml").read_bytes()

    assert parse_bytes(data, "plan.csv").source_format == "mspdi"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "plan.csv", "plan.csv is empty"),
        (b"   \n", "plan.xer", "is empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "plan.mpp", "binary Office file"),
        (b"PK\x03\x04rest", "plan.zip", "zip archive"),
        (b"%T\tTASK\n", "plan.xer", "does not start with ERMHDR"),
        (b"some text", "plan.pdf", "unknown file type .pdf"),
        (b"some text", "plan", "unknown file type (no extension)"),
    ],
)
def test_unknown_or_unreadable_content_raises_a_typed_error(
    data: bytes, filename: str, message: str
) -> None:
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        detect_kind(data, filename)


def test_missing_file_raises_import_file_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="Cannot read") as caught:
        parse_file(tmp_path / "nope.xer")

    assert isinstance(caught.value, PlanBridgeError)
    assert caught.value.code == "import_file_invalid"
    assert "XER" in caught.value.hint


def test_forced_unknown_encoding_is_refused(samples: Path) -> None:
    with pytest.raises(ImportFileError, match="Unknown text encoding"):
        parse_file(samples / "aspose_encoding1251.xer", encoding="klingon")
