"""``/robots.txt``: crawlers may index every page, not every SQL query.

Datasette at ``/sql/`` turns each table into endless addresses (every sort, facet,
filter, page and export is one): crawlers may read its table pages but not the
variants with a query string nor the ``.csv``/``.json`` exports. The JSON API is for
programs and is documented on the developers page. The wildcard rules follow
RFC 9309, which the major search engines implement.
"""

from __future__ import annotations

from catalog import urls

DISALLOWED = (
    "/sql/*?",  # sorts, facets, filters, pages and ad-hoc SQL of Datasette
    "/sql/*.csv",
    "/sql/*.json",
    urls.API,
)


def robots() -> str:
    # No "Allow: /": what is not disallowed is allowed, and parsers that take the first
    # matching rule (instead of RFC 9309's longest) would let it override the rest.
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in DISALLOWED]
    lines += ["", f"Sitemap: {urls.absolute(urls.SITEMAP)}"]
    return "\n".join(lines) + "\n"
