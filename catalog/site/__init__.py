"""The citizens' static catalogue: pages, downloads, search index and territory pages.

The site's renderer: ``catalog build`` drives it (``catalog.build.site.write_site``)
with the manifests of a release (catalog/release/manifest.py), and it imports
nothing of the build; ``catalog serve`` and the workspace render their pages with
its ``render``. Each module here has one concern: ``render`` (Jinja2 and safe
Markdown), ``model`` (what a page says about a dataset), ``quality`` (score and
freshness), ``downloads`` (CSV, Excel, JSON, XLSX, ZIP), ``facts`` (what the data
says about territories), ``charts`` (inline SVG), ``search`` (the static index),
``writer`` (incremental output) and ``pages`` (which pages exist and what each
shows).
"""
