"""Tests for the Typesense Python Client."""
