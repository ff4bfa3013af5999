"""Success measures: summaries and details, the changes people make, and importing values.

Summaries rate each measure against its target (or its milestones) on a date, and flag it stale
when an expected period's value is overdue (for the page, the overview and the papers); changes
(values, corrections, targets, milestones, narrative ratings, linked actions) check permission,
validate every field and audit; values are provisional until ``sign_off_value`` makes them
final; ``import_measure_values`` loads a spreadsheet of values all or nothing;
``import_national_figures`` reads the England, regional and local authority comparators from an
Explore Education Statistics CSV file, all or nothing, and with ``local`` takes the
partnership's own figures as values.
"""

from tracker.services.measures._changes import (
    FINAL,
    LABEL_LIMIT,
    PROVISIONAL,
    SOURCE_LIMIT,
    EnteredValue,
    enter_value,
    link_actions,
    set_narrative_rating,
    set_targets,
)
from tracker.services.measures._comparators import (
    Comparator,
    ComparatorSet,
    describe_comparators,
    latest_comparators,
)
from tracker.services.measures._import import MeasureImport, import_measure_values, parse_period
from tracker.services.measures._milestones import add_milestone, remove_milestone
from tracker.services.measures._national import (
    NationalFileRefused,
    NationalImport,
    import_national_figures,
)
from tracker.services.measures._sign_off import (
    AwaitingSignOff,
    SignedOff,
    list_values_awaiting_sign_off,
    sign_off_value,
)
from tracker.services.measures._summaries import (
    NOT_RATED,
    MeasureDetail,
    MeasureNotFound,
    MeasureSummary,
    Milestone,
    MilestoneProgress,
    count_by_rating,
    filter_summaries,
    get_measure_detail,
    get_measure_summary,
    list_context_figures,
    list_measure_summaries,
    list_red_measures,
    may_edit_measure,
    may_enter_values,
    may_import_values,
    may_link_actions,
    milestone_progress,
    normalise_reference,
)

__all__ = [
    "FINAL",
    "LABEL_LIMIT",
    "NOT_RATED",
    "PROVISIONAL",
    "SOURCE_LIMIT",
    "AwaitingSignOff",
    "Comparator",
    "ComparatorSet",
    "EnteredValue",
    "MeasureDetail",
    "MeasureImport",
    "MeasureNotFound",
    "MeasureSummary",
    "Milestone",
    "MilestoneProgress",
    "NationalFileRefused",
    "NationalImport",
    "SignedOff",
    "add_milestone",
    "count_by_rating",
    "describe_comparators",
    "enter_value",
    "filter_summaries",
    "get_measure_detail",
    "get_measure_summary",
    "import_measure_values",
    "import_national_figures",
    "latest_comparators",
    "link_actions",
    "list_context_figures",
    "list_measure_summaries",
    "list_red_measures",
    "list_values_awaiting_sign_off",
    "may_edit_measure",
    "may_enter_values",
    "may_import_values",
    "may_link_actions",
    "milestone_progress",
    "normalise_reference",
    "parse_period",
    "remove_milestone",
    "set_narrative_rating",
    "set_targets",
    "sign_off_value",
]
