"""The stocktake pack for DfE and NHS England advisers: one zip for a period.

``generate_stocktake`` gathers the report (delivery position and movement, impact with its
evidence, success measures, "you said, we did", open risks, actions off track, a one-page
summary), writes it in Word (and tagged PDF where LibreOffice is present) with every evidence
file, the evidence index, the measure values, the audit extract and a manifest of checksums,
streaming, then records and audits the pack. The period defaults to the time since the last
stocktake (``default_period``).
"""

from tracker.services.stocktake._pack import (
    EVIDENCE_POLICY,
    GeneratedPack,
    PackEntry,
    StocktakeInfo,
    check_output,
    generate_stocktake,
)
from tracker.services.stocktake._period import Period, PeriodInvalid, default_period
from tracker.services.stocktake._screen import (
    StocktakePage,
    StocktakeRow,
    list_stocktakes,
    load_stocktake_page,
    pack_filename,
    read_stocktake_file,
)

__all__ = [
    "EVIDENCE_POLICY",
    "GeneratedPack",
    "PackEntry",
    "Period",
    "PeriodInvalid",
    "StocktakeInfo",
    "StocktakePage",
    "StocktakeRow",
    "check_output",
    "default_period",
    "generate_stocktake",
    "list_stocktakes",
    "load_stocktake_page",
    "pack_filename",
    "read_stocktake_file",
]
