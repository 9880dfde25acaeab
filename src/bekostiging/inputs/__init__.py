"""The validated input objects, by responsibility (base, settings, tables, sources, case,
scenario sets); :mod:`bekostiging.schema` re-exports every name, so import from there."""
