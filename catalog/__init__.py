"""Open-data catalogue and transparency portal."""

import os

# Polars' allocator (jemalloc) keeps freed pages for a while; validation allocates and frees
# column-sized buffers one after another, so on a million rows the kept pages add ~60 MB to
# the peak. Returning them at once costs ~0.2 s. Set here, before anything imports polars.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
