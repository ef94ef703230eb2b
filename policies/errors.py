"""The one error the pack raises for a file it reads that is wrong (the price table)."""

from __future__ import annotations


class PackFileError(ValueError):
    """A pack data file is malformed; the message is one line naming the file and the entry."""
