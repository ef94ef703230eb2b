"""Which AWS operations a function's code calls, read from its source at bundle time (issue 12 §4).

The deployment package carries a pruned copy of each service model (:mod:`components.sdk_models`) holding only
the operations the function calls, so the list must come from the code, never from a hand-kept table: a call
the list missed would be a client without that method in Lambda. Every client of the handlers comes from one of
the factories of :mod:`functions.shared.aws` (:data:`FACTORIES`), so the scan follows their results:

* ``aws.client("dynamodb").get_item(...)``, ``client("s3").put_object(...)`` (the service is the first argument,
  a string literal), ``model_client(limits).converse(...)`` (always Bedrock runtime);
* a name bound to a factory's result in the same function (``s3 = aws.client("s3")``, then ``s3.head_object``;
  not at module level, where the handlers create no client, and where its uses would be in other scopes);
* ``store_client()``, the idempotency store's client, which the code hands to Powertools'
  ``DynamoDBPersistenceLayer``: its operations are read the same way from that installed module's source (calls
  on ``self.client``), so a Powertools upgrade that calls another operation changes the list.

A factory's result used any other way (returned, passed on, stored, a service that is not a literal, a method
that is no operation of the service) is a :class:`SdkCallError` naming the file and line: the scan refuses what it
cannot follow instead of shipping a model that may lack an operation. ``.exceptions`` and ``.meta`` are read
freely (every error shape of a service is kept: :mod:`components.sdk_models`).
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from botocore import xform_name

from components import sdk_models

#: The module whose functions make every client of the handlers.
AWS_MODULE = "functions.shared.aws"
_AWS_PACKAGE, _, _AWS_NAME = AWS_MODULE.rpartition(".")
#: Each client factory of :data:`AWS_MODULE` and the service of its clients (None: the first argument names it).
#: ``tests/components/test_sdk_calls.py`` requires every function of that module that creates a client here.
FACTORIES: Mapping[str, str | None] = {"client": None, "model_client": "bedrock-runtime", "store_client": "dynamodb"}
#: Where ``store_client()``'s operations are called: Powertools' DynamoDB idempotency layer, on ``self.client``.
STORE_MODULE = "aws_lambda_powertools.utilities.idempotency.persistence.dynamodb"
#: Attributes of a client that are not operations and that the code may read (``client.exceptions.X``).
_READ_ONLY = frozenset({"exceptions", "meta"})

Operations = dict[str, set[str]]


class SdkCallError(ValueError):
    """A client use the scan cannot follow, or a method that is no operation of its service."""


@dataclass(frozen=True, slots=True)
class _Site:
    path: Path
    node: ast.AST

    def fail(self, message: str) -> SdkCallError:
        return SdkCallError(f"{self.path}:{getattr(self.node, 'lineno', 0)}: {message}")


@cache
def operation_names(service: str) -> Mapping[str, str]:
    """The installed botocore's client method name -> operation name of ``service`` (``get_item`` -> ``GetItem``)."""
    return {xform_name(name): name for name in sdk_models.full_model(service)["operations"]}


class _Scanner:
    """One module's client uses: factories by their local names, names bound to their results, method calls."""

    def __init__(self, path: Path, module: str, found: Operations) -> None:
        self.path, self.module, self.found = path, module, found
        self.factories: dict[str, str] = {}  # local name -> factory (``client`` -> ``client``)
        self.modules: set[str] = set()  # local names of the aws module (``aws``)

    def scan(self, tree: ast.Module) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == AWS_MODULE:
                self.factories.update({a.asname or a.name: a.name for a in node.names if a.name in FACTORIES})
            elif isinstance(node, ast.ImportFrom) and node.module == _AWS_PACKAGE:
                self.modules.update(a.asname or a.name for a in node.names if a.name == _AWS_NAME)
            elif isinstance(node, ast.Import):
                self.modules.update(a.asname or a.name for a in node.names if a.name == AWS_MODULE and a.asname)
        if self.module == AWS_MODULE:
            self.factories.update({name: name for name in FACTORIES})
        scopes = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)]
        for scope in [tree, *scopes]:
            self._scan_scope(scope)

    def _factory(self, node: ast.AST) -> str | None:
        """The factory ``node`` calls (``aws.client(...)``, ``client(...)``), else None."""
        if not isinstance(node, ast.Call):
            return None
        func = node.func
        if isinstance(func, ast.Name):
            return self.factories.get(func.id)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in self.modules:
            return func.attr if func.attr in FACTORIES else None
        return None

    def _service(self, call: ast.Call, factory: str) -> str:
        fixed = FACTORIES[factory]
        if fixed is not None:
            return fixed
        argument = (
            call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "service_name"), None)
        )
        if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
            raise _Site(self.path, call).fail(f"{factory}(...) without a literal service name: cannot tell its calls")
        return argument.value

    def _own_nodes(self, scope: ast.AST) -> Iterator[ast.AST]:
        """The nodes of ``scope`` outside the functions and lambdas nested in it (scanned as their own scopes)."""
        pending = list(ast.iter_child_nodes(scope))
        while pending:
            node = pending.pop()
            if isinstance(node, ast.ClassDef):  # its body runs in the enclosing scope; its methods are their own
                pending.extend(ast.iter_child_nodes(node))
                continue
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            yield node
            pending.extend(ast.iter_child_nodes(node))

    def _scan_scope(self, scope: ast.AST) -> None:
        nodes = list(self._own_nodes(scope))
        parents = {id(child): node for node in nodes for child in ast.iter_child_nodes(node)}
        bound: dict[str, str] = {}
        for node in nodes:
            if isinstance(node, ast.Assign) and _binds_a_name(node):
                assert isinstance(node.targets[0], ast.Name)
                factory = self._factory(node.value)
                if factory is not None:
                    assert isinstance(node.value, ast.Call)
                    bound[node.targets[0].id] = self._service(node.value, factory)
        for node in nodes:
            factory = self._factory(node)
            if factory is not None:
                assert isinstance(node, ast.Call)
                self._use(node, self._service(node, factory), factory, parents, scope)
            elif isinstance(node, ast.Name) and node.id in bound and isinstance(node.ctx, ast.Load):
                self._use(node, bound[node.id], None, parents, scope)

    def _use(
        self, node: ast.AST, service: str, factory: str | None, parents: Mapping[int, ast.AST], scope: ast.AST
    ) -> None:
        """Record the operation called on a client expression, or refuse a use the scan cannot follow."""
        site, parent = _Site(self.path, node), parents.get(id(node))
        if factory == "store_client":
            self.found.setdefault(service, set()).update(store_operations())
            return
        in_function = isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef)
        if isinstance(parent, ast.Assign) and factory is not None and _binds_a_name(parent) and in_function:
            return  # bound to a name of the function: its uses there are scanned (a module-level one is refused)
        if self.module == AWS_MODULE and isinstance(parent, ast.Return) and getattr(scope, "name", "") in FACTORIES:
            return  # a factory returning another factory's client (``store_client``: ``return client("dynamodb")``)
        if isinstance(parent, ast.Attribute) and parent.value is node:
            if parent.attr in _READ_ONLY:
                return
            call = parents.get(id(parent))
            if isinstance(call, ast.Call) and call.func is parent:
                self.found.setdefault(service, set()).add(_operation(service, parent.attr, site))
                return
        raise site.fail(f"a {service} client used in a way the operation scan cannot follow")


def _binds_a_name(node: ast.Assign) -> bool:
    """``name = ...``: the one form :meth:`_Scanner._scan_scope` follows (not ``self.x = ...``, ``a = b = ...``)."""
    return len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)


def _operation(service: str, method: str, site: _Site) -> str:
    names = operation_names(service)
    if method not in names:
        raise site.fail(f"{method} is not an operation of {service} (installed botocore)")
    return names[method]


def scan_source(path: Path, module: str, found: Operations | None = None) -> Operations:
    """The operations per service that the module at ``path`` calls (added to ``found`` when given)."""
    operations: Operations = {} if found is None else found
    for service, calls in _scanned(str(path), module, path.read_text(encoding="utf-8")):
        operations.setdefault(service, set()).update(calls)
    return operations


@cache
def _scanned(path: str, module: str, source: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """One module's scan, once per process for the same source (every package holds ``functions.shared``).

    A module that names no factory cannot call one (an alias is imported under the factory's name), so it is
    not parsed: most modules of a package.
    """
    if module != AWS_MODULE and not any(name in source for name in FACTORIES):
        return ()
    found: Operations = {}
    _Scanner(Path(path), module, found).scan(ast.parse(source, filename=path))
    return tuple((service, frozenset(calls)) for service, calls in sorted(found.items()))


@cache
def store_operations() -> frozenset[str]:
    """The DynamoDB operations Powertools' idempotency layer calls on its client (``self.client.<op>(...)``)."""
    # Located from the top-level package, which find_spec does not import (a dotted name would import its parents:
    # Powertools' idempotency __init__, boto3 with it, into the program's process).
    top, _, rest = STORE_MODULE.partition(".")
    spec = importlib.util.find_spec(top)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    path = Path(locations[0], *rest.split(".")).with_suffix(".py") if locations else Path(rest)
    if not path.is_file():
        raise SdkCallError(f"{STORE_MODULE}: not installed, so its DynamoDB calls cannot be read")
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    calls = {
        _operation("dynamodb", node.func.attr, _Site(path, node))
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _is_self_client(node.func.value)
    }
    if not calls:
        raise SdkCallError(f"{path}: no call on self.client found: the idempotency layer changed shape")
    return frozenset(calls)


def _is_self_client(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "client"
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def operations(modules: Mapping[str, Path]) -> Operations:
    """The operations per service that the modules of one package call (``module name -> source path``)."""
    found: Operations = {}
    for module, path in sorted(modules.items()):
        scan_source(path, module, found)
    return {service: calls for service, calls in sorted(found.items()) if calls}
