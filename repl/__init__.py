"""The front ends: the command line, the shell, the language server, and what they print."""

# The one place the version is written: the package's metadata is made from it
# (pyproject.toml, [tool.hatch.version]), and `safeproc --version` reads it here,
# without the 20 ms that importlib.metadata takes to load.
__version__ = "0.1.0"


def version() -> str:
    return __version__
