"""The national deployment: the directory on PostgreSQL, its clusters and its service nodes."""
