"""Success measures: summaries and details, the changes people make, and importing values.

Summaries rate each measure against its target on a date (for the page, the overview and the
papers); changes (values, corrections, targets, narrative ratings, linked actions) check
permission, validate every field and audit; ``import_measure_values`` loads a spreadsheet of
values all or nothing; ``import_national_figures`` reads the England, regional and local
authority comparators from an Explore Education Statistics CSV file, all or nothing.
"""

from tracker.services.measures._changes import (
    LABEL_LIMIT,
    EnteredValue,
    enter_value,
    link_actions,
    set_narrative_rating,
    set_targets,
)
from tracker.services.measures._import import MeasureImport, import_measure_values, parse_period
from tracker.services.measures._national import (
    Comparator,
    ComparatorSet,
    NationalFileRefused,
    NationalImport,
    describe_comparators,
    import_national_figures,
    latest_comparators,
)
from tracker.services.measures._summaries import (
    NOT_RATED,
    MeasureDetail,
    MeasureNotFound,
    MeasureSummary,
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
    normalise_reference,
)

__all__ = [
    "LABEL_LIMIT",
    "NOT_RATED",
    "Comparator",
    "ComparatorSet",
    "EnteredValue",
    "MeasureDetail",
    "MeasureImport",
    "MeasureNotFound",
    "MeasureSummary",
    "NationalFileRefused",
    "NationalImport",
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
    "may_edit_measure",
    "may_enter_values",
    "may_import_values",
    "may_link_actions",
    "normalise_reference",
    "parse_period",
    "set_narrative_rating",
    "set_targets",
]
