"""bekostiging: fund the Dutch asylum chain so that it absorbs swings in inflow."""

# The one place of the version: pyproject.toml reads it (dynamic version), `bekostiging --version`
# prints it, run manifests record it. Release notes: CHANGELOG.md.
__version__ = "0.1.0"
