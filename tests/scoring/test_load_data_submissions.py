"""`manage.py load_data_submissions` (issue 8 point 4): validated, all-or-nothing, and idempotent."""

import io

import pytest
from django.core.management import CommandError, call_command

from scoring.models import DataSubmission

pytestmark = pytest.mark.django_db

HEADER = (
    "submitter_type,npi,tin,virtual_group_identifier,apm_entity_identifier,"
    "performance_year,category,submitted_at\n"
)
GOOD = (
    HEADER
    + "individual,1234567893,123450093,,,2026,pi,2027-03-01T14:30:00-05:00\n"
    + "group,,123450093,,,2026,quality,2027-03-02\n"
    + "virtual_group,,,vg-000123,,2026,ia,2027-03-03T09:00:00\n"
)


def _load(tmp_path, text: str) -> str:
    path = tmp_path / "submissions.csv"
    path.write_text(text)
    out = io.StringIO()
    call_command("load_data_submissions", str(path), stdout=out)
    return out.getvalue()


def test_loads_each_row_and_a_second_load_changes_nothing(tmp_path):
    assert "Loaded 3 submissions (0 already on file)" in _load(tmp_path, GOOD)
    assert DataSubmission.objects.count() == 3
    vg = DataSubmission.objects.get(submitter_type="virtual_group")
    assert (vg.virtual_group_identifier, vg.category) == ("VG-000123", "improvement_activities")
    assert "Loaded 0 submissions (3 already on file)" in _load(tmp_path, GOOD)
    assert DataSubmission.objects.count() == 3


def test_duplicate_rows_in_one_file_are_stored_once(tmp_path):
    line = "group,,123450093,,,2026,cost,2027-03-02T10:00:00-05:00\n"
    assert "Loaded 1 submissions (1 already on file)" in _load(tmp_path, HEADER + line + line)


def test_one_bad_row_stores_nothing(tmp_path):
    bad = GOOD + "individual,1234567890,123450093,,,2026,pi,2027-03-01\n"
    with pytest.raises(CommandError, match="line 5: npi must be a valid 10-digit NPI"):
        _load(tmp_path, bad)
    assert DataSubmission.objects.count() == 0
