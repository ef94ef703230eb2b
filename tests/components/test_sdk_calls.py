"""Which AWS operations a package calls is read from its code (components.sdk_calls), and nothing is missed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from components import bundle, sdk_calls
from tests.components.conftest import REPO_ROOT

_AWS = "from functions.shared import aws\n"

FOUND = [
    (
        "module attribute",
        _AWS + "def f():\n    aws.client('dynamodb').get_item(TableName='t', Key={})\n",
        {"dynamodb": {"GetItem"}},
    ),
    (
        "imported factory, chained over lines",
        "from functions.shared.aws import client\n"
        "def f():\n    return (\n        client('events')\n        .put_events(Entries=[])\n    )\n",
        {"events": {"PutEvents"}},
    ),
    (
        "name bound in the function",
        _AWS + "def f():\n    s3 = aws.client('s3')\n    s3.head_object(Bucket='b')\n    s3.put_object(Bucket='b')\n",
        {"s3": {"HeadObject", "PutObject"}},
    ),
    (
        "keyword service and endpoint",
        _AWS
        + "def f(u):\n    aws.client(service_name='apigatewaymanagementapi', endpoint_url=u).post_to_connection()\n",
        {"apigatewaymanagementapi": {"PostToConnection"}},
    ),
    (
        "model client",
        "from functions.shared.aws import model_client\ndef f(l):\n    model_client(l).converse()\n",
        {"bedrock-runtime": {"Converse"}},
    ),
    (
        "store client: Powertools' calls",
        _AWS + "def f():\n    return Layer(boto3_client=aws.store_client())\n",
        {"dynamodb": set(sdk_calls.store_operations())},
    ),
    (
        "exceptions and meta are read freely",
        _AWS
        + "def f():\n    c = aws.client('sns')\n    c.publish()\n    return c.exceptions.NotFoundException, c.meta\n",
        {"sns": {"Publish"}},
    ),
    (
        "a call in a method",
        _AWS + "class C:\n    def m(self):\n        aws.client('s3').get_object()\n",
        {"s3": {"GetObject"}},
    ),
    (
        "a call in a lambda",
        _AWS + "def f():\n    return sorted([], key=lambda k: aws.client('s3').head_object())\n",
        {"s3": {"HeadObject"}},
    ),
    ("a call in a class body", _AWS + "class C:\n    x = aws.client('sns').publish()\n", {"sns": {"Publish"}}),
    ("no client", "import json\ndef f():\n    return json.dumps({})\n", {}),
]

REFUSED = [
    (
        "a service that is not a literal",
        _AWS + "def f(name):\n    aws.client(name).get_item()\n",
        "without a literal service name",
    ),
    ("a client returned", _AWS + "def f():\n    return aws.client('s3')\n", "cannot follow"),
    ("a client passed on", _AWS + "def f():\n    g(aws.client('s3'))\n", "cannot follow"),
    ("a bound client passed on", _AWS + "def f():\n    s3 = aws.client('s3')\n    g(s3)\n", "cannot follow"),
    (
        "a client bound at module level",
        _AWS + "s3 = aws.client('s3')\ndef f():\n    s3.get_object()\n",
        "cannot follow",
    ),
    ("a client stored on an object", _AWS + "def f(self):\n    self.c = aws.client('s3')\n", "cannot follow"),
    (
        "a method that is no operation",
        _AWS + "def f():\n    aws.client('s3').get_paginator('list_objects')\n",
        "is not an operation",
    ),
    ("a misspelt operation", _AWS + "def f():\n    aws.client('dynamodb').getitem()\n", "is not an operation"),
]


def _scan(tmp_path: Path, source: str) -> sdk_calls.Operations:
    path = tmp_path / "module.py"
    path.write_text(source, encoding="utf-8")
    return sdk_calls.operations({"functions.x.module": path})


@pytest.mark.parametrize(("case", "source", "expected"), FOUND, ids=[c[0] for c in FOUND])
def test_calls_are_found(case: str, source: str, expected: sdk_calls.Operations, tmp_path: Path) -> None:
    assert _scan(tmp_path, source) == expected, case


@pytest.mark.parametrize(("case", "source", "message"), REFUSED, ids=[c[0] for c in REFUSED])
def test_uses_the_scan_cannot_follow_are_refused(case: str, source: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(sdk_calls.SdkCallError, match=message) as raised:
        _scan(tmp_path, source)
    assert str(raised.value).startswith(f"{tmp_path / 'module.py'}:"), case


def test_a_refused_use_fails_the_bundle_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "functions" / "a").mkdir(parents=True)
    for init in ("functions/__init__.py", "functions/a/__init__.py", "functions/shared/__init__.py"):
        (tmp_path / init).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / init).write_text("", encoding="utf-8")
    (tmp_path / "functions/shared/aws.py").write_text("def client(name):\n    pass\n", encoding="utf-8")
    (tmp_path / "functions/a/handler.py").write_text(_AWS + "def h(e, c):\n    g(aws.client('s3'))\n", encoding="utf-8")
    with pytest.raises(bundle.BundleError, match=r"handler\.py:3: a s3 client used"):
        bundle.package_files(tmp_path, "functions.a.handler.h")


def _returns_a_client(function: ast.FunctionDef) -> bool:
    """Whether ``function`` returns what botocore's ``create_client`` makes (directly or through a factory)."""
    makers = {"create_client", "_create", *sdk_calls.FACTORIES}
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
            func = node.value.func
            if (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")) in makers:
                return True
    return False


def test_every_client_factory_of_the_aws_module_is_known() -> None:
    # A new function of functions/shared/aws.py that hands out a client would escape the scan: it must be listed.
    source = REPO_ROOT / "functions" / "shared" / "aws.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    public = {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")}
    factories = {
        n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in public and _returns_a_client(n)
    }
    assert factories == set(sdk_calls.FACTORIES)


def _handlers() -> list[str]:
    return sorted(
        f"functions.{path.parent.name}.{path.stem}"
        for path in (REPO_ROOT / "functions").glob("*/*.py")
        if path.stem in ("handler", "authorizer") and path.parent.name not in ("device", "edge")
    )


@pytest.mark.parametrize("module", _handlers())
def test_every_operation_named_in_a_package_is_in_its_scan(module: str) -> None:
    # A second reading, blind to how clients flow: any `.op_name(` call in the package's code whose name is an
    # operation of a service the package uses must be in the scan (it catches a client the scan lost track of).
    modules = bundle.module_closure(REPO_ROOT, module)
    found = sdk_calls.operations(modules)
    names = {method: (service, op) for service in found for method, op in sdk_calls.operation_names(service).items()}
    named = set()
    for path in modules.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in names:
                named.add(names[node.func.attr])
    scanned = {(service, op) for service, ops in found.items() for op in ops}
    assert named <= scanned, sorted(named - scanned)


def test_the_pipeline_handlers_calls() -> None:
    # What the handlers call today, read from their code (a change in the code changes this, as it should).
    found = sdk_calls.operations(bundle.module_closure(REPO_ROOT, "functions.deliver.handler"))
    assert found["s3"] == {"GetObject"}
    assert found["apigatewaymanagementapi"] == {"PostToConnection"}
    assert found["dynamodb"] >= {"GetItem", "PutItem", "UpdateItem", "DeleteItem"}  # Powertools' store among them
