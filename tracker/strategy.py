"""The packaged strategy data (``tracker/data/strategy.yaml``), read once.

Both the seed (which writes it into the database) and the services that show what the strategy
says beside the database (its context figures) read it from here, so no service needs the seed.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@lru_cache(maxsize=1)
def load_strategy() -> dict[str, Any]:
    """The strategy data shipped in the package."""
    text = (resources.files("tracker") / "data" / "strategy.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data
