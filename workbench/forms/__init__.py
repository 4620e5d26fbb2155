"""The officers' ipywidgets forms: thin views that read the archive, call the library and write back.

``workbench.widgets`` is their public face for notebooks; the forms here are built on ``Form``.
"""

from .assessment import AssessmentView, assessment
from .base import Form, fit_choices, handler, open_archive, setup
from .files import download_link, download_links, uploaded
from .filing import FilingForm, build_package, performance_table, receive, status_table
from .followup import FollowupForm, followup, overview
from .names import Names
from .round_setup import RoundSetupForm, round_setup
from .scope import SelectionForm, SurveyForm, selection, survey
from .verify import VerificationForm, verification

__all__ = [
    "Form", "fit_choices", "handler", "open_archive", "setup", "download_link", "download_links", "uploaded", "Names",
    "RoundSetupForm", "round_setup", "SelectionForm", "selection", "SurveyForm", "survey",
    "VerificationForm", "verification", "AssessmentView", "assessment",
    "FollowupForm", "followup", "overview",
    "FilingForm", "build_package", "receive", "status_table", "performance_table",
]
