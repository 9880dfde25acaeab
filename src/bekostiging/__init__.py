"""bekostiging: fund the Dutch asylum chain so that it absorbs swings in inflow."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bekostiging")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"
