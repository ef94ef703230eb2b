"""The Examples sections of the runtime's docstrings are executed, so they stay true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import functions

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(functions.__path__, prefix="functions.")
    if not info.name.endswith(".handler")  # handler examples are HTTP/ASL snippets, not doctests
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
