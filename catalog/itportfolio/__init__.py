"""The IT-project spending dashboard's data side: the standard, its checks, the figures.

* ``standard``: the IT-portfolio Data Package standard (``"conformsTo": "it-portfolio"``),
  its Table Schemas (``schemas/*.json``) and the downloadable template;
* ``checks``: the consistency checks ``catalog validate`` runs on such a dataset;
* ``compute``: variances, colours, overall rating, history, changes, spending (pure,
  polars); ``CioRating`` is the plain record the workspace's CIO ratings arrive as;
* ``derived``: the derived tables' names and columns, shared by the build (which writes
  them, catalog/build/itportfolio.py) and the API (which reads them,
  catalog/api/itportfolio.py).

Formulas, bands and the overall rule: docs/it-dashboard.md.
"""

from __future__ import annotations

from catalog.itportfolio.checks import check_package
from catalog.itportfolio.compute import (
    Bands,
    CioRating,
    Dashboard,
    Portfolio,
    Settings,
    compute,
    cost_variance,
    overall_colour,
    overall_rating,
    schedule_variance,
)
from catalog.itportfolio.standard import MARKER, declares, template_zip

__all__ = [
    "MARKER",
    "Bands",
    "CioRating",
    "Dashboard",
    "Portfolio",
    "Settings",
    "check_package",
    "compute",
    "cost_variance",
    "declares",
    "overall_colour",
    "overall_rating",
    "schedule_variance",
    "template_zip",
]
