"""Public pages, the dashboard and the shared page layout."""
