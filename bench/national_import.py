"""Benchmark importing a full Explore Education Statistics timeliness file (about 22,000 rows).

The file is generated in EES's open-data layout, as the "Timeliness of new education, health
and care plans" data set is published: ``--years`` calendar years, a National row, nine
Regional rows and 153 Local authority rows per year, each in every breakdown (all plans, age
bands, primary need, ...), with every published column plus a few extra ones and EES's
symbols where figures are withheld. ``import_national_figures`` then reads it with
``local=True`` (the partnership's own row also taken as M2.3's values), timed from the bytes on
disk to the committed transaction, twice: into a database with no comparators, and again (every
figure replaced by itself, every value unchanged).

Run ``.venv/bin/python bench/national_import.py`` (SQLite in a temporary directory), or with
``--database-url postgresql+psycopg://...`` for an empty scratch PostgreSQL database. Target
(issue 16): each import under 3 s. The script exits 1 if one is slower.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.db import make_engine, session_scope
from tracker.governance import load_governance
from tracker.permissions import Actor
from tracker.seed import seed_strategy
from tracker.services.measures import import_national_figures
from tracker.services.operations import initialise_database

ROOT = Path(__file__).resolve().parent.parent
GOVERNANCE_FILE = ROOT / "governance.yaml"
TARGET_SECONDS = 3.0
TODAY = date(2026, 12, 1)
HEADER = [
    *("time_period", "time_identifier", "geographic_level", "country_code", "country_name"),
    *("region_code", "region_name", "new_la_code", "old_la_code", "la_name"),
    *("breakdown_topic", "breakdown", "plans_issued_den", "plans_issued_den_ex"),
    *("plans_issued_within_20_weeks", "plans_issued_20_weeks_ex"),
    *("pc_plans_issued_within_20_weeks", "pc_plans_issued_20_weeks_ex"),
    *("plans_issued_gt20weeks_ltyear", "plans_issued_gt20weeks_ltyear_ex"),
    *("pc_plans_issued_gt20weeks_ltyear", "pc_plans_issued_gt20weeks_ltyear_ex"),
    *("plans_issued_gt_1_year", "plans_issued_gt_1_year_ex"),
    *("pc_plans_issued_gt_1_year", "pc_plans_issued_gt_1_year_ex"),
    *("avg_weeks_issue_plan", "avg_weeks_issue_plan_exc"),
]
EXTRA = ["la_name_old", "data_quality_note", "published_date"]  # columns a reader must ignore
BREAKDOWNS = [("All EHC plans", "All EHC plans")]
BREAKDOWNS += [("Age", a) for a in ("Under 5", "Age 5 to 10", "Age 11 to 15", "Age 16 to 19")]
BREAKDOWNS += [("Age", a) for a in ("Age 20 to 25",)]
BREAKDOWNS += [
    ("Primary need", n)
    for n in (
        "Autistic spectrum disorder",
        "Speech, language and communication needs",
        "Social, emotional and mental health",
        "Moderate learning difficulty",
        "Severe learning difficulty",
        "Specific learning difficulty",
        "Physical disability",
        "Hearing impairment",
        "Visual impairment",
        "Multi-sensory impairment",
        "Other",
    )
]
REGIONS = [
    ("E12000001", "North East"),
    ("E12000002", "North West"),
    ("E12000003", "Yorkshire and The Humber"),
    ("E12000004", "East Midlands"),
    ("E12000005", "West Midlands"),
    ("E12000006", "East of England"),
    ("E12000007", "London"),
    ("E12000008", "South East"),
    ("E12000009", "South West"),
]
NAMED = {  # the partnership and its neighbours as governance.yaml names them
    "E10000017": ("888", "Lancashire"),
    "E10000006": ("909", "Cumbria"),
    "E06000009": ("890", "Blackpool"),
    "E06000008": ("889", "Blackburn with Darwen"),
}


def _authorities() -> list[tuple[str, str, str, str, str]]:
    """153 upper-tier authorities: (region code, region name, new code, old code, name)."""
    found = []
    named = list(NAMED.items())
    for index in range(153):
        region_code, region_name = REGIONS[index % len(REGIONS)]
        if index < len(named):
            code, (old, name) = named[index]
            region_code, region_name = "E12000002", "North West"
        else:
            code, old, name = (
                f"E0{8 + index % 3}{index:06d}",
                f"{100 + index}",
                f"Authority {index}",
            )
        found.append((region_code, region_name, code, old, name))
    return found


def build_file(years: int, *, seed: int = 16) -> bytes:
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER + EXTRA)
    areas = [("National", "", "", "", "", "", "")]
    areas += [("Regional", code, name, "", "", "", "") for code, name in REGIONS]
    areas += [("Local authority", *a, "") for a in _authorities()]
    for year in range(2025 - years + 1, 2026):
        for level, rcode, rname, lcode, old, la, _ in areas:
            for topic, breakdown in BREAKDOWNS:
                den = rng.randint(40, 3000)
                share = round(rng.uniform(5, 98), 1)
                symbol = rng.random() < 0.04 and level == "Local authority"
                pc = rng.choice(["c", "x", "low", "z"]) if symbol else f"{share}"
                row = {
                    "time_period": str(year),
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
                    "plans_issued_den": str(den),
                    "plans_issued_within_20_weeks": str(round(den * share / 100)),
                    "pc_plans_issued_within_20_weeks": pc,
                    "avg_weeks_issue_plan": f"{rng.uniform(12, 40):.1f}",
                }
                writer.writerow([row.get(name, "z") for name in HEADER] + ["", "", "2025-06-26"])
    return buffer.getvalue().encode("utf-8")


def run_import(url: str, data: bytes, name: str) -> tuple[float, str]:
    config = load_governance(GOVERNANCE_FILE).comparators
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        with session_scope(engine, write=True) as session:
            report = import_national_figures(
                session,
                stream=io.BytesIO(data),
                source=name,
                config=config,
                actor=Actor.for_operator("bench"),
                local=True,
                today=TODAY,
            )
        took = time.perf_counter() - started
    finally:
        engine.dispose()
    summary = (
        f"{report.rows_read:,} rows, {report.stored} figures ({report.replaced} replaced), "
        f"values {report.values_new} new / {report.values_unchanged} unchanged"
    )
    return took, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=8)
    parser.add_argument("--database-url", default=None, help="an empty scratch database")
    args = parser.parse_args()
    data = build_file(args.years)
    rows = data.count(b"\n") - 1
    print(f"EES timeliness file: {rows:,} rows, {len(data) / 1024 / 1024:.1f} MB", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        engine = make_engine(url)
        initialise_database(engine, governance_file=GOVERNANCE_FILE, seed=seed_strategy)
        engine.dispose()
        slow = False
        for step in ("first import", "same file again"):
            took, summary = run_import(url, data, "ees_timeliness.csv")
            slow |= took > TARGET_SECONDS
            print(f"  {step}: {took:.2f} s ({summary})", flush=True)
    if slow:
        print(f"slower than {TARGET_SECONDS:.0f} s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
