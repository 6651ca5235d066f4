"""`make bench`: the project measured beside its anchors."""
