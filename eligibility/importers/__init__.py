"""Parse participation data files into validated records, collecting every error with its line.

Accepted formats (issue 3):
- a QPP Eligibility API v6 NPI document: ``{"data": {"npi", "firstName", "lastName", "specialty"?,
  "organizations": [{"TIN", "prvdrOrgName", "individualScenario", "groupScenario", "apms",
  "virtualGroups"}]}}``;
- a JSON list of such documents;
- a CSV with one row per TIN/NPI (columns in ``CSV_COLUMNS``).

The public v6 API masks TINs; an import needs the whole nine digits, so a masked TIN is reported as an error.
Our extension: a scenario may carry ``allowedCharges``, ``partBPatients``, ``coveredServices`` and ``optedIn``
(the low-volume amounts the public API doesn't publish). ``aciReweighting`` and the hardship fields are
ignored: the portal computes them.

Split by format: ``v6_json`` (v6 documents), ``csv_rows`` (CSV), ``files`` (``parse_file`` chooses between
them), ``values`` (field values both share) and ``errors`` (``ImportError_``, ``ImportFailed``). Import from
``eligibility.importers``; to patch a helper, patch it in the submodule that calls it.
"""

from .csv_rows import CSV_BOOLEANS, CSV_COLUMNS, CSV_REQUIRED, parse_csv
from .errors import ImportError_, ImportFailed
from .files import parse_file
from .v6_json import V6_FLAGS, V6_IS_ELIGIBLE, parse_json
from .values import clinician_type_from

__all__ = [
    "CSV_BOOLEANS",
    "CSV_COLUMNS",
    "CSV_REQUIRED",
    "V6_FLAGS",
    "V6_IS_ELIGIBLE",
    "ImportError_",
    "ImportFailed",
    "clinician_type_from",
    "parse_csv",
    "parse_file",
    "parse_json",
]
