"""The OASIS STIX 2.1 validator, run on exported bundles."""

from __future__ import annotations

from stix2validator import ValidationOptions, validate_string


def validation_errors(bundle_json: str) -> list[str]:
    """Every error the validator finds in a bundle (its warnings are best practices)."""
    result = validate_string(bundle_json, ValidationOptions(version="2.1"))
    items = getattr(result, "object_results", None) or [result]
    found = [str(error) for item in items for error in item.errors]
    if not result.is_valid and not found:
        found.append("the validator found the bundle invalid")
    return found
