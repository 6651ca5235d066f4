"""Open-data catalogue and transparency portal."""

import os

# Polars' allocator (jemalloc) keeps freed pages for a while (10 s by default); validation
# allocates and frees column-sized buffers one after another, so on a million rows the kept
# pages add ~60 MB to the peak. Returning them at once instead costs a fifth of the time of
# a large validation in page faults (every block's buffers are faulted in again): a tenth of
# a second keeps the peak bounded (10,000,000 rows: 470-510 MB) and most of the speed. Set
# here, before anything imports polars.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:100,muzzy_decay_ms:0")
