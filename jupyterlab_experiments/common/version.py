"""The package's version, for the server's ``info`` reply and ``jx.__version__``."""

try:
    from .._version import __version__
except ImportError:  # a source checkout that was never installed
    __version__ = "dev"

__all__ = ["__version__"]
