"""Dagster definitions, one module per layer; merged in ``orchestration.definitions``."""
