"""Test support shared by the unit, integration and end-to-end tests (no production code imports it)."""
