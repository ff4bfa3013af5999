"""The risk register: what could stop delivery, how likely, how bad, and what is being done.

Risks are scored likelihood x impact on governance.yaml's 5 x 5 scale (``tracker.rules.risks``
holds the pure rules: bands, heat map, movement, review dates). ``_write`` adds, rescores and
closes risks and their mitigations (each checked whole, audited, every scoring kept as the
risk's history); ``_read`` gives screens, papers and the command line plain rows.
"""

from tracker.services.risks._read import (
    MitigationRow,
    RiskChoices,
    RiskDetail,
    RiskFilter,
    RiskReviewRow,
    RiskRow,
    RisksPage,
    list_risks,
    load_risks_page,
    open_mitigations,
    risk_choices,
    risk_detail,
    risks_overseen,
    scores_at,
)
from tracker.services.risks._write import (
    MITIGATION_LIMIT,
    TEXT_LIMIT,
    TITLE_LIMIT,
    NewRisk,
    Rescore,
    RiskClosed,
    RiskInvalid,
    RiskNotFound,
    add_mitigation,
    add_risk,
    close_risk,
    get_risk,
    may_score,
    score_risk,
    set_mitigation_done,
)

__all__ = [
    "MITIGATION_LIMIT",
    "TEXT_LIMIT",
    "TITLE_LIMIT",
    "MitigationRow",
    "NewRisk",
    "Rescore",
    "RiskChoices",
    "RiskClosed",
    "RiskDetail",
    "RiskFilter",
    "RiskInvalid",
    "RiskNotFound",
    "RiskReviewRow",
    "RiskRow",
    "RisksPage",
    "add_mitigation",
    "add_risk",
    "close_risk",
    "get_risk",
    "list_risks",
    "load_risks_page",
    "may_score",
    "open_mitigations",
    "risk_choices",
    "risk_detail",
    "risks_overseen",
    "score_risk",
    "scores_at",
    "set_mitigation_done",
]
