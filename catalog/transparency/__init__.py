"""The transparency workspace: access-to-information requests, active-transparency
obligations and IT-project dashboards, on a SQLAlchemy database."""
