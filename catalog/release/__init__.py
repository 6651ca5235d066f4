"""The release format: what ``catalog build`` publishes and everything else reads.

The build is its only writer; ``catalog serve``, the API, the static site's
renderer and the transparency workspace read it through this package alone, never
through ``catalog.build``. One concern per module:

- ``layout``: folder and file names (``current``, ``index.json``, ``search.db``,
  ``sql/catalogo.db``, ``sql/metadata.json``, ``sql/inspect.json``, ``site/``)
  and ``ReleaseFolder``, the paths inside one release;
- ``naming``: table and query names in the release database, SQL quoting;
- ``manifest``: a published dataset as the build hands it to the renderers
  (``Manifest``, ``TablePlan``) and its licence (``license_of``);
- ``index``: the typed entries of ``index.json`` (``DatasetEntry``,
  ``ResourceEntry``...) and their check (``parse_index``);
- ``search``: what the reader checks of the API's search file (``search.db``, written
  and read by catalog/api): the digest of the ``index.json`` it was written from;
- ``reader``: ``CurrentRelease``, the one reader of the current release.
"""
