"""cybergov: the knowledge graph of cyberspace governance.

The package loads the ontology and the curated graph into a store, derives
what the inference rules imply, validates contributions against the shapes,
answers the catalogue of governance questions and serves all of it over HTTP.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cybergov")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+checkout"

__all__ = ["__version__"]
