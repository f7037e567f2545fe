"""Forms of the exception application wizard (issue 5, steps 3-10 of seed 003_452340df50752410.txt).

Each step is one form. Forms only parse and validate input; the wizard views hand ``changes`` (model field
names → already-validated values) to ``services.application_save_step``. Two modes:

* ``require_complete=True`` (Save & Continue, Certify & Submit): every required answer must be present.
* ``require_complete=False`` (Save, Save & Close, Back, autosave): blanks are allowed so a draft can be kept
  half-done, but whatever *is* entered must be valid. Nothing invalid is ever stored.

Fields that belong to an answer the user did not choose (for example the ONC-ACB certification ID after
switching from EHR Decertification to Insufficient Internet Connectivity) are dropped in ``clean()``: a hidden
input still holding an old value is never re-submitted as an answer (issue 5, "nothing stale is stored").
"""

from .base import (  # noqa: F401
    CleanTextField,
    StepContext,
    StepForm,
    strip_control_characters,
    year_bounds,
)
from .participant import (  # noqa: F401
    ACKNOWLEDGE_REQUIRED,
    APM_ENTITY_IDENTIFIER_RE,
    APM_ENTITY_REFUSED_FOR_PI,
    EXCEPTION_TYPE_NOTE,
    IDENTIFIER_FIELDS,
    LEVEL_IDENTIFIER_FIELD,
    NO_ACCESS_MESSAGES,
    NOT_LISTED,
    VIRTUAL_GROUP_IDENTIFIER_RE,
    ApplicationTypeForm,
    FindingsMixin,
    NewApplicationForm,
    SubmissionInformationForm,
    submission_information_initial,
)
from .reason import (  # noqa: F401
    APM_ALL_CATEGORIES,
    CATEGORY_FIELDS,
    CERTIFICATION_ID_MESSAGE,
    COVID_REFUSED,
    DATE_FIELDS,
    EVENT_DESCRIPTION_MAX,
    PI_EUC_EVENT_TYPES,
    YES_NO,
    AttestationForm,
    ReasonForm,
    normalize_certification_id,
    reason_initial,
)
from .submitter import (  # noqa: F401
    MAX_ADDITIONAL_ACCESS,
    PHONE_MESSAGE,
    AdditionalAccessForm,
    SubmitterDetailsForm,
    format_us_phone,
    normalize_us_phone,
    parse_email_list,
)
