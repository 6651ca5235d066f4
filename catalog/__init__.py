"""Open-data catalogue and transparency portal."""
