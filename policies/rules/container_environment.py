"""Containers: no secret in a plain environment variable (P141, P187; issue 11 §4).

`aws.ecs.TaskDefinition(container_definitions=json.dumps([{..., "environment": [{"name": "DB_PASSWORD",
"value": ...}]}]))` is the most common way real programs leak a database password: the value is stored in
the task definition, shown by `DescribeTaskDefinition` to anyone who may read it, and kept in the Pulumi
state. The same holds for every service that takes a plain environment map. Each is judged by the one
classifier in `policies/secret_values.py` (a `secure:` config value, an access-key/private-key/token shape,
a high-entropy string, a password-like name), so a container and a Lambda function are judged alike.

Where the plain environment lives, by pulumi-aws 7.51.1 input (camelCase as the engine records it):

* ECS task definitions: `containerDefinitions`, one JSON document, each container's `environment`
  (`[{"name", "value"}]`, API_ContainerDefinition). `secrets` (`[{"name", "valueFrom"}]`, a Secrets Manager
  or SSM Parameter Store ARN) is the safe way and is not judged:
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html
* Batch job definitions: `containerProperties` (JSON, `environment`), `ecsProperties` (JSON,
  `taskProperties[].containers[].environment`), `eksProperties.podProperties.containers[].envs` /
  `initContainers[].envs` (`[{"name", "value"}]`), and `nodeProperties` (JSON, each
  `nodeRangeProperties[]` entry's `container`, `ecsProperties` and `eksProperties`, whose EKS containers
  name it `env` as the API does); RegisterJobDefinition in the Batch API Reference.
* App Runner services: `runtimeEnvironmentVariables` (a map) of
  `sourceConfiguration.imageRepository.imageConfiguration` and of
  `sourceConfiguration.codeRepository.codeConfiguration.codeConfigurationValues`;
  `runtimeEnvironmentSecrets` (ARNs) is the safe way.
* Elastic Beanstalk environments and configuration templates: `settings` in the namespace
  `aws:elasticbeanstalk:application:environment` (the environment properties; Elastic Beanstalk Developer
  Guide, "General options for all environments").

The same services through Pulumi's aws-native provider (CloudFormation-shaped inputs, objects rather than JSON
text; names from pulumi-aws-native 1.84.0's `<service>/_inputs.py`, checked against the SDK by
tests/policies/rules/test_container_environment_native.py; meaning from the CloudFormation resource reference):

* `aws-native:ecs:TaskDefinition` and `aws-native:ecs:DaemonTaskDefinition`: `containerDefinitions[]`, each
  container's `environment` (`TaskDefinitionKeyValuePairArgs`/`DaemonTaskDefinitionKeyValuePairArgs`:
  `name`, `value`); `secrets` (`valueFrom`) is the safe way.
* `aws-native:batch:JobDefinition`: `containerProperties.environment`, `ecsProperties.taskProperties[]
  .containers[].environment` (`JobDefinitionEnvironmentArgs`), `eksProperties.podProperties.containers[]` and
  `initContainers[]` `.env` (`JobDefinitionEksContainerEnvironmentVariableArgs`; `env`, not pulumi-aws's
  `envs`), and the same three under `nodeProperties.nodeRangeProperties[]` (`container`, `ecsProperties`,
  `eksProperties`) for multi-node jobs.
* `aws-native:apprunner:Service`: `runtimeEnvironmentVariables` of
  `sourceConfiguration.imageRepository.imageConfiguration` and of
  `sourceConfiguration.codeRepository.codeConfiguration.codeConfigurationValues`, a list of
  `ServiceKeyValuePairArgs` (`name`, `value`), not a map.
* `aws-native:elasticbeanstalk:Environment` and `ConfigurationTemplate`: `optionSettings[]` (`namespace`,
  `optionName`, `value`) in the environment-properties namespace.
* `aws-native:lambda:Function` needs nothing here: its `environment.variables` reach
  `lambda-no-secrets-in-environment` through its pulumi-aws view (policies/native.py).

The JSON documents (ECS `containerDefinitions`, Batch `containerProperties` and `ecsProperties`) are read
the way the provider reads them, not the way they are spelled. terraform-provider-aws decodes each with
`tfjson.DecodeFromString` (`internal/json/decode.go`: Go's `encoding/json` Decoder, one value after another
until EOF) into the AWS SDK's types, which have no json tags (`expandContainerDefinitions` in
`internal/service/ecs/container_definitions.go`, `expandContainerProperties` and `expandECSProperties` in
`internal/service/batch/`). Go's `json.Unmarshal` "matches incoming object keys to the keys used by Marshal
(either the struct field name or its tag), preferring an exact match but also accepting a case-insensitive
match" (https://pkg.go.dev/encoding/json#Unmarshal), with Unicode case folding. So `Environment`, `NAME`,
`vAlUe` are deployed as `environment`, `name`, `value`: every key is matched by `str.casefold()` (which folds
at least what Go folds), and when keys differ only in case every one of them is judged (Go keeps one of
them). A stream of several JSON values is judged value by value.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from policies.lib import Pending, get, is_list
from policies.secret_values import OFFLINE_SECRET_VALUES, secret_reason
from policies.spec import Category, Kind, PolicySpec

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
JOB_DEFINITION = "aws:batch/jobDefinition:JobDefinition"
APP_RUNNER_SERVICE = "aws:apprunner/service:Service"
BEANSTALK_ENVIRONMENT = "aws:elasticbeanstalk/environment:Environment"
BEANSTALK_TEMPLATE = "aws:elasticbeanstalk/configurationTemplate:ConfigurationTemplate"
NATIVE_TASK_DEFINITION = "aws-native:ecs:TaskDefinition"
NATIVE_DAEMON_TASK_DEFINITION = "aws-native:ecs:DaemonTaskDefinition"
NATIVE_JOB_DEFINITION = "aws-native:batch:JobDefinition"
NATIVE_APP_RUNNER_SERVICE = "aws-native:apprunner:Service"
NATIVE_BEANSTALK_ENVIRONMENT = "aws-native:elasticbeanstalk:Environment"
NATIVE_BEANSTALK_TEMPLATE = "aws-native:elasticbeanstalk:ConfigurationTemplate"
#: The Elastic Beanstalk option namespace of environment properties (the application's environment variables).
BEANSTALK_ENVIRONMENT_NAMESPACE = "aws:elasticbeanstalk:application:environment"


@dataclass(frozen=True)
class Variable:
    """One plain environment variable: where it is (container or path) and how to read (name, value).

    Read lazily, so one unknown name or value (an output of another resource) is noted without hiding the
    variables beside it.
    """

    where: str
    read: Callable[[], tuple[Any, Any]]


def _values(mapping: Mapping[str, Any], key: str) -> list[Any]:
    """The values under `key`: in a decoded JSON document (a dict) every key that equals it case-insensitively
    (Go's encoding/json matching), in the pack's inputs (the schema's own key names) the key itself."""
    if isinstance(mapping, dict):
        folded = key.casefold()
        return [value for name, value in mapping.items() if isinstance(name, str) and name.casefold() == folded]
    value = mapping.get(key)
    return [] if value is None else [value]


def _first(mapping: Mapping[str, Any], key: str) -> Any:
    values = _values(mapping, key)
    return values[0] if values else None


def _entries(
    entry: Mapping[str, Any], name_key: str = "name", value_key: str = "value"
) -> Iterator[Callable[[], tuple[Any, Any]]]:
    """One `{name, value}` entry as readers of (name, value); when a JSON entry spells a key twice in different
    cases, every name is judged with every value (the provider keeps one pair, this cannot know which is meant)."""
    if not isinstance(entry, dict):
        yield lambda: (entry.get(name_key), entry.get(value_key))
        return
    names = _values(entry, name_key) or [None]
    values = _values(entry, value_key) or [None]
    for name in names:
        for value in values:
            yield functools.partial(lambda n, v: (n, v), name, value)


class WholeSecretError(Exception):
    """A whole environment (or the document holding it) is a Pulumi secret: its plaintext is stored as is.

    Raised with what holds it (`WholeSecretError("the settings")`), read back as `what`."""

    @property
    def what(self) -> str:
        return str(self.args[0])


def _documents(value: Any, what: str) -> list[Any]:
    """A JSON input as data, one item per JSON value in it (the provider's decoder reads a stream of values
    until EOF): [] when absent or not JSON; WholeSecretError when it is a secret placeholder."""
    if not isinstance(value, str):
        return [] if value is None else [value]
    if value in OFFLINE_SECRET_VALUES:
        raise WholeSecretError(what)
    decoder = json.JSONDecoder()
    documents: list[Any] = []
    index = len(value) - len(value.lstrip())
    while index < len(value):
        try:
            document, index = decoder.raw_decode(value, index)
        except ValueError:
            return documents  # the rest is not JSON: the provider refuses it at deploy
        documents.append(document)
        index += len(value[index:]) - len(value[index:].lstrip())
    return documents


def _pairs(entries: Any, where: str, what: str) -> Iterator[Variable]:
    """`[{"name", "value"}]` entries as variables (ECS/Batch `environment`, EKS `envs`)."""
    if isinstance(entries, str) and entries in OFFLINE_SECRET_VALUES:
        raise WholeSecretError(what)
    for entry in entries if is_list(entries) else []:
        if isinstance(entry, Mapping):
            for read in _entries(entry):
                yield Variable(where, read)


def _containers(containers: Any, what: str, key: str = "environment") -> Iterator[Variable]:
    for index, container in enumerate(containers if is_list(containers) else []):
        if isinstance(container, Mapping):
            where = str(_first(container, "name") or f"container {index}")
            for environment in _values(container, key):
                yield from _pairs(environment, where, what)


def _map(variables: Any, where: str, what: str) -> Iterator[Variable]:
    if isinstance(variables, str) and variables in OFFLINE_SECRET_VALUES:
        raise WholeSecretError(what)
    if isinstance(variables, Mapping):
        for name in sorted(str(k) for k in variables):
            yield Variable(where, functools.partial(lambda key: (key, variables[key]), name))


def _task_definition(props: Any) -> Iterator[Variable]:
    what = "the container definitions"
    for document in _documents(get(props, "containerDefinitions"), what):
        yield from _containers(document, what)


def _json_container(container: Any, what: str) -> Iterator[Variable]:
    """A decoded ContainerProperties document's `environment`."""
    if isinstance(container, Mapping):
        for environment in _values(container, "environment"):
            yield from _pairs(environment, "container", what)


def _json_ecs(ecs: Any, what: str) -> Iterator[Variable]:
    """A decoded EcsProperties document's `taskProperties[].containers[].environment`."""
    for tasks in _values(ecs, "taskProperties") if isinstance(ecs, Mapping) else []:
        for task in tasks if is_list(tasks) else []:
            if isinstance(task, Mapping):
                for containers in _values(task, "containers"):
                    yield from _containers(containers, what)


def _json_eks(eks: Any, what: str) -> Iterator[Variable]:
    """A decoded EksProperties document's `podProperties.containers[]`/`initContainers[]` `.env` (the API's
    EksContainer field, not the typed input's `envs`)."""
    for pod in _values(eks, "podProperties") if isinstance(eks, Mapping) else []:
        for key in ("containers", "initContainers"):
            for containers in _values(pod, key) if isinstance(pod, Mapping) else []:
                yield from _containers(containers, what, key="env")


def _job_definition(props: Any) -> Iterator[Variable]:
    what = "the container properties"
    for container in _documents(get(props, "containerProperties"), what):
        yield from _json_container(container, what)
    what = "the ECS properties"
    for ecs in _documents(get(props, "ecsProperties"), what):
        yield from _json_ecs(ecs, what)
    what = "the EKS properties"
    for key in ("containers", "initContainers"):
        yield from _containers(get(props, "eksProperties", "podProperties", key), what, key="envs")
    # Multi-node jobs: `nodeProperties`, one JSON document decoded like the others (`expandJobNodeProperties`,
    # terraform-provider-aws internal/service/batch/node_properties.go: tfjson.DecodeFromString into the SDK's
    # NodeProperties), each node range's `container`, `ecsProperties` and `eksProperties`.
    what = "the node properties"
    for nodes in _documents(get(props, "nodeProperties"), what):
        for ranges in _values(nodes, "nodeRangeProperties") if isinstance(nodes, Mapping) else []:
            for node in ranges if is_list(ranges) else []:
                if isinstance(node, Mapping):
                    for container in _values(node, "container"):
                        yield from _json_container(container, what)
                    for ecs in _values(node, "ecsProperties"):
                        yield from _json_ecs(ecs, what)
                    for eks in _values(node, "eksProperties"):
                        yield from _json_eks(eks, what)


#: Where an App Runner service keeps its variables: the same paths in pulumi-aws and aws-native (a map in the
#: one, a list of name/value pairs in the other).
_APP_RUNNER_PATHS = (
    ("image", ("sourceConfiguration", "imageRepository", "imageConfiguration", "runtimeEnvironmentVariables")),
    (
        "code",
        (
            "sourceConfiguration",
            "codeRepository",
            "codeConfiguration",
            "codeConfigurationValues",
            "runtimeEnvironmentVariables",
        ),
    ),
)


def _app_runner(props: Any) -> Iterator[Variable]:
    for label, path in _APP_RUNNER_PATHS:
        yield from _map(get(props, *path), label, "the runtime environment variables")


def _beanstalk(props: Any) -> Iterator[Variable]:
    settings = get(props, "settings")
    if isinstance(settings, str) and settings in OFFLINE_SECRET_VALUES:
        raise WholeSecretError("the settings")
    for setting in settings if is_list(settings) else []:
        if isinstance(setting, Mapping) and setting.get("namespace") == BEANSTALK_ENVIRONMENT_NAMESPACE:
            yield Variable("environment", functools.partial(lambda s: (s.get("name"), s.get("value")), setting))


def _whole(value: Any, what: str) -> Any:
    """An aws-native object or list input as it is, WholeSecretError when the whole of it is a Pulumi secret."""
    if isinstance(value, str) and value in OFFLINE_SECRET_VALUES:
        raise WholeSecretError(what)
    return value


def _list(value: Any, what: str) -> list[Any]:
    """An aws-native list input as a list ([] when absent or not a list), WholeSecretError when a secret."""
    value = _whole(value, what)
    return list(value) if is_list(value) else []


def _native_task_definition(props: Any) -> Iterator[Variable]:
    what = "the container definitions"
    yield from _containers(_whole(get(props, "containerDefinitions"), what), what)


def _native_batch_containers(properties: Any, what: str) -> Iterator[Variable]:
    """One job's (or node range's) `containerProperties`/`container`, `ecsProperties`, `eksProperties`."""
    container, ecs, eks = properties
    container = _whole(container, what)
    if isinstance(container, Mapping):
        yield from _pairs(container.get("environment"), "container", what)
    for task in _list(get(ecs, "taskProperties"), what):
        if isinstance(task, Mapping):
            yield from _containers(_whole(task.get("containers"), what), what)
    for key in ("containers", "initContainers"):
        yield from _containers(_whole(get(eks, "podProperties", key), what), what, key="env")


def _native_job_definition(props: Any) -> Iterator[Variable]:
    what = "the job definition's containers"
    own = (get(props, "containerProperties"), get(props, "ecsProperties"), get(props, "eksProperties"))
    yield from _native_batch_containers(own, what)
    for node in _list(get(props, "nodeProperties", "nodeRangeProperties"), what):
        if isinstance(node, Mapping):
            ranged = (node.get("container"), node.get("ecsProperties"), node.get("eksProperties"))
            yield from _native_batch_containers(ranged, what)


def _native_app_runner(props: Any) -> Iterator[Variable]:
    for label, path in _APP_RUNNER_PATHS:
        yield from _pairs(get(props, *path), label, "the runtime environment variables")


def _native_beanstalk(props: Any) -> Iterator[Variable]:
    for setting in _list(get(props, "optionSettings"), "the option settings"):
        if isinstance(setting, Mapping) and setting.get("namespace") == BEANSTALK_ENVIRONMENT_NAMESPACE:
            yield Variable("environment", functools.partial(lambda s: (s.get("optionName"), s.get("value")), setting))


#: Where each type keeps its plain environment variables (pulumi-aws, then aws-native).
READERS: Mapping[str, Callable[[Any], Iterator[Variable]]] = {
    TASK_DEFINITION: _task_definition,
    JOB_DEFINITION: _job_definition,
    APP_RUNNER_SERVICE: _app_runner,
    BEANSTALK_ENVIRONMENT: _beanstalk,
    BEANSTALK_TEMPLATE: _beanstalk,
    NATIVE_TASK_DEFINITION: _native_task_definition,
    NATIVE_DAEMON_TASK_DEFINITION: _native_task_definition,
    NATIVE_JOB_DEFINITION: _native_job_definition,
    NATIVE_APP_RUNNER_SERVICE: _native_app_runner,
    NATIVE_BEANSTALK_ENVIRONMENT: _native_beanstalk,
    NATIVE_BEANSTALK_TEMPLATE: _native_beanstalk,
}


def _finding(variable: Variable) -> str:
    """`<where> <NAME> (<why>)` when the variable holds a secret, else ""."""
    name, value = variable.read()
    reason = secret_reason(str(name or ""), value)
    return f"{variable.where} {name} ({reason})" if reason else ""


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    pending = Pending()

    def judge() -> list[str]:
        found = [pending.read(functools.partial(_finding, v), "") for v in READERS[args.resource_type](args.props)]
        return [f for f in found if f]

    try:
        found = pending.read(judge, [])
    except WholeSecretError as whole:
        report_violation(
            f"{args.name}: {whole.what} hold a Pulumi secret (secure: config or a secret output), stored in plain "
            "text in the resource's configuration.",
            None,
        )
        return
    if found:
        report_violation(f"{args.name}: plain environment variables hold secrets: {', '.join(found)}.", None)
    pending.settle()


NO_SECRETS = PolicySpec(
    name="container-no-secrets-in-environment",
    description=(
        "Container environments (ECS, Batch, App Runner, Elastic Beanstalk; pulumi-aws and aws-native) hold no "
        "secret values; secrets come from Secrets Manager or SSM by reference."
    ),
    explanation=(
        "A plain environment value is stored in the task or job definition (or service configuration), shown to "
        "anyone who may describe it, and kept in the stack's state. Fix: store the secret in Secrets Manager or "
        "SSM Parameter Store and reference it: ECS and Batch `secrets: [{name, valueFrom: <ARN>}]`, App Runner "
        "`runtime_environment_secrets`; for Elastic Beanstalk have the application read it at start-up."
    ),
    principles=("P141", "P187"),
    severity=Severity.HIGH,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate,
    resource_types=tuple(READERS),
)

POLICIES: list[PolicySpec] = [NO_SECRETS]
