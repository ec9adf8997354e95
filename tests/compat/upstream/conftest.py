"""The vendored suites run in a child process from their own folders (see suites.py), never collected here."""

collect_ignore = ["meilisearch", "typesense", "qdrant"]
