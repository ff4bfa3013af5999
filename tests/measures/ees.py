"""Explore Education Statistics open-data CSV files, written for the tests in EES's own layout.

``timeliness_csv`` writes the "Timeliness of new education, health and care plans" data set:
National, Regional and Local authority rows for each year and breakdown, with plausible figures
and EES's symbols where a figure is withheld. Extra rows (other regions, other authorities,
other breakdowns) are there so an import has to pick the right ones.
"""

from __future__ import annotations

import csv
from pathlib import Path

HEADER = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "new_la_code",
    "old_la_code",
    "la_name",
    "breakdown_topic",
    "breakdown",
    "plans_issued_den",
    "plans_issued_den_ex",
    "plans_issued_within_20_weeks",
    "plans_issued_20_weeks_ex",
    "pc_plans_issued_within_20_weeks",
    "pc_plans_issued_20_weeks_ex",
    "plans_issued_gt20weeks_ltyear",
    "plans_issued_gt20weeks_ltyear_ex",
    "pc_plans_issued_gt20weeks_ltyear",
    "pc_plans_issued_gt20weeks_ltyear_ex",
    "plans_issued_gt_1_year",
    "plans_issued_gt_1_year_ex",
    "pc_plans_issued_gt_1_year",
    "pc_plans_issued_gt_1_year_ex",
    "avg_weeks_issue_plan",
    "avg_weeks_issue_plan_exc",
]

# (level, region code, region name, new LA code, old LA code, LA name): area columns.
AREAS = (
    ("National", "", "", "", "", ""),
    ("Regional", "E12000002", "North West", "", "", ""),
    ("Regional", "E12000001", "North East", "", "", ""),
    ("Local authority", "E12000002", "North West", "E10000017", "888", "Lancashire"),
    ("Local authority", "E12000002", "North West", "E10000006", "909", "Cumbria"),
    ("Local authority", "E12000002", "North West", "E06000009", "890", "Blackpool"),
    ("Local authority", "E12000001", "North East", "E06000047", "840", "County Durham"),
)
# Percentage within 20 weeks, by year, per area (same order as AREAS).
PERCENT = {
    "2022": ("49.2", "55.0", "60.1", "38.5", "61.0", "44.4", "70.2"),
    "2023": ("50.3", "52.7", "58.0", "41.2", "c", "47.9", "66.1"),
    "2024": ("46.4", "50.1", "57.3", "66.0", "59.8", "x", "64.0"),
}


def timeliness_rows(years: dict[str, tuple[str, ...]] = PERCENT) -> list[dict[str, str]]:
    rows = []
    for year, figures in years.items():
        for (level, rcode, rname, lcode, old, la), pc in zip(AREAS, figures, strict=True):
            for topic, breakdown, share in (
                ("All EHC plans", "All EHC plans", pc),
                ("Age", "Under 5", "71.0"),
            ):
                row = dict.fromkeys(HEADER, "")
                row |= {
                    "time_period": year,
                    "time_identifier": "Calendar year",
                    "geographic_level": level,
                    "country_code": "E92000001",
                    "country_name": "England",
                    "region_code": rcode,
                    "region_name": rname,
                    "new_la_code": lcode,
                    "old_la_code": old,
                    "la_name": la,
                    "breakdown_topic": topic,
                    "breakdown": breakdown,
                    "plans_issued_den": "1200",
                    "pc_plans_issued_within_20_weeks": share,
                    "avg_weeks_issue_plan": "21.4",
                }
                rows.append(row)
    return rows


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
