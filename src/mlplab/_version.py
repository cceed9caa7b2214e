"""The version of mlplab, in one place (also read by the build)."""

__version__ = "0.1.0"
