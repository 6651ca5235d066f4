"""``catalog harvest``: import the datasets of another portal into a content root.

Sources: a CKAN Action API (``ckan.py``), a DCAT-US ``data.json`` or a DCAT-AP
catalogue in Turtle or JSON-LD (``dcat.py``); safe fetching (``net.py``); mapping to the
catalogue's vocabularies (``mapping.py``); schema inference (``schema.py``); the run
itself, atomic per dataset, with its state and log (``run.py``). It produces content, as
a steward does: it never imports the builder. See docs/harvesting.md.
"""
