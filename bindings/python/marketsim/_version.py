"""The package's version: generated from VERSION by scripts/gen-version."""
__version__ = "0.1.0"
