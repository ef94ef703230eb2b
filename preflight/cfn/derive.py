"""Derive which aws-native type each CloudFormation type checkov checks is, and its property names.

Why: checkov has no Pulumi support, but it scans CloudFormation templates, and pulumi-aws-native is
generated from the CloudFormation registry schemas: `AWS::S3::Bucket` is `aws-native:s3:Bucket`, and
each property is the CloudFormation name in lowerCamelCase (`preflight.cfn.naming`, a port of the
provider's rules). The provider records the names its rule cannot turn back (`IPAddress` and
`IpAddress` both become `ipAddress`) as `IrreversibleNames` in its `metadata.json`; that file is too
large for the stored mirror, so this module rebuilds the same table from the schemas the provider
is generated from (pulumi/pulumi-aws-native `aws-cloudformation-schema/<service>-<type>.json`),
for the top-level properties and every nested definition they reach.

`python -m preflight.cfn.derive --schemas DIR --supported FILE --write` reads those schemas and the
provider's `provider/cmd/pulumi-gen-aws-native/supported-types.txt` (the types Cloud Control can
provision, which are the only ones it generates), lists the CloudFormation types the installed
checkov's checks read (`CHECKOV_CFN_TYPES_SCRIPT`, run with checkov's own interpreter) and stores
the result in `native_types.json`, which the exporter reads (no checkov import at gate time); a test
keeps the file in step with the installed checkov and pulumi-aws-native. `inspected` (what each check reads,
preflight.checkov_unknown) needs no schemas: `python -m preflight.cfn.derive --inspected-only --write` refreshes it.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from policies import stored_tables
from preflight import derived_tables
from preflight.cfn.naming import to_pascal_case, to_sdk_name, type_token
from preflight.errors import PreflightError

#: Where the derived table lives, next to this module.
TABLE_FILE = Path(__file__).with_name("native_types.json")

#: Why a checked type has no aws-native resource, by the reason's shape (module or registry status).
SAM_REASON = (
    "an AWS SAM transform type (Transform: AWS::Serverless-2016-10-31): CloudFormation expands it into "
    "Lambda and API Gateway resources before deploying, it has no registry schema, so pulumi-aws-native has none"
)
NOT_CLOUD_CONTROL_REASON = (
    "not in pulumi-aws-native's supported-types.txt: the Cloud Control API cannot provision this "
    "CloudFormation type, and the provider generates resources only for types it can"
)

#: One property: [CloudFormation name, definition its value is (or None), "object" | "list" | "map"].
Entry = list[Any]


def sdk_resource_tokens() -> tuple[str, ...]:
    """Every resource token of the installed pulumi-aws-native."""
    return derived_tables.sdk_resource_tokens("pulumi_aws_native")


def schema_file(schemas: Path, cfn_type: str) -> Path:
    """`AWS::S3::Bucket` -> `<schemas>/aws-s3-bucket.json`, the provider's file naming."""
    return schemas / (cfn_type.lower().replace("::", "-") + ".json")


class _Shapes:
    """The property-name table of one CloudFormation schema: top level and every definition it reaches."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.definitions: Mapping[str, Any] = schema.get("definitions") or {}
        self.out: dict[str, dict[str, Entry]] = {}
        self.pending: list[tuple[str, Mapping[str, Any]]] = []
        self.top = self.entries(schema.get("properties") or {}, "", top=True)
        while self.pending:
            name, spec = self.pending.pop()
            if name not in self.out:
                self.out[name] = {}  # placeholder first: recursive definitions (WAFv2 statements) end here
                self.out[name] = self.entries(spec.get("properties") or {}, name, top=False)

    def target(self, spec: Mapping[str, Any], parent: str, depth: int = 0) -> tuple[str | None, str]:
        """(the object definition a property's value is, how: object, list of them or map of them)."""
        if depth > 8 or not isinstance(spec, Mapping):
            return None, "object"
        ref = spec.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            return self.ref_target(ref.removeprefix("#/definitions/"), depth)
        if spec.get("properties"):
            self.pending.append((parent, spec))
            return parent, "object"
        if isinstance(spec.get("items"), Mapping):
            name, _ = self.target(spec["items"], f"{parent}[]", depth + 1)
            return name, "list"
        values = spec.get("additionalProperties")
        if not isinstance(values, Mapping):
            values = next(iter((spec.get("patternProperties") or {}).values()), None)
        if isinstance(values, Mapping):
            name, _ = self.target(values, f"{parent}{{}}", depth + 1)
            return name, "map"
        return None, "object"

    def ref_target(self, name: str, depth: int) -> tuple[str | None, str]:
        definition = self.definitions.get(name)
        if not isinstance(definition, Mapping):
            return None, "object"
        if definition.get("properties"):
            self.pending.append((name, definition))
            return name, "object"
        return self.target(definition, name, depth + 1)  # an alias: a list or map defined once

    def entries(self, properties: Mapping[str, Any], parent: str, *, top: bool) -> dict[str, Entry]:
        table: dict[str, Entry] = {}
        for cfn_name in sorted(properties):
            sdk_name = to_sdk_name(cfn_name)
            if top and sdk_name == "id":
                sdk_name = "awsId"  # gen.go: a top-level `Id` would clash with the resource's own id
            definition, kind = self.target(properties[cfn_name], f"{parent}.{cfn_name}".lstrip("."))
            if definition is not None or to_pascal_case(sdk_name) != cfn_name:
                table[sdk_name] = [cfn_name, definition, kind]
        return table


def names_of(schema: Mapping[str, Any]) -> dict[str, Any]:
    """{"properties": {sdkName: entry}, "definitions": {name: {sdkName: entry}}}; names the rule gives are left out."""
    shapes = _Shapes(schema)
    return {"properties": shapes.top, "definitions": {k: v for k, v in sorted(shapes.out.items()) if v}}


def derive(
    cfn_types: Iterable[str], tokens: Iterable[str], supported: Iterable[str]
) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(CloudFormation type -> token, unmappable type -> reason, types neither explains)."""
    known, cloud_control = set(tokens), set(supported)
    mapped: dict[str, str] = {}
    unmappable: dict[str, str] = {}
    missing: list[str] = []
    for cfn_type in sorted(set(cfn_types)):
        token = type_token(cfn_type)
        if token in known:
            mapped[cfn_type] = token
        elif cfn_type.startswith("AWS::Serverless::"):
            unmappable[cfn_type] = SAM_REASON
        elif cfn_type not in cloud_control:
            unmappable[cfn_type] = NOT_CLOUD_CONTROL_REASON
        else:
            missing.append(cfn_type)  # Cloud Control has it, the installed SDK does not: a newer SDK or a new rule
    return mapped, unmappable, missing


def checkov_inspected(checkov_python: Path, cfn_types: Iterable[str]) -> dict[str, object]:
    """CloudFormation type -> check id -> what the check reads (preflight.derived_tables `inspected`), for the
    mapped types: which unknown property values checkov does not judge (review 6 F3: preflight.checkov_unknown)."""
    data = derived_tables.checkov_listing(checkov_python, derived_tables.CLOUDFORMATION)
    return derived_tables.inspected(data["inspected"], cfn_types)


def checkov_cfn_types(checkov_python: Path) -> tuple[str, list[str], dict[str, list[str]]]:
    """checkov's version, the CloudFormation types its checks read, and the checks that report on each type,
    from checkov's own interpreter.

    A check reports on a type when it is a resource check supporting it: checkov lists each resource of it
    under the check's passed, failed or skipped results (unless the check returns UNKNOWN). Graph checks are
    left out: they list only what their solver matched, not every resource of their `resource_types`
    (CKV2_AWS_68 names AWS::IAM::Role but reports SageMaker notebook instances; CKV2_AWS_33 never lists the WAF
    association it connects), so a type only graph checks read has no checks of its own here.
    """
    data = derived_tables.checkov_listing(checkov_python, derived_tables.CLOUDFORMATION)
    reported = {str(t): [str(i) for i in ids] for t, ids in data["reported"].items()}
    return str(data["checkov_version"]), list(data["types"]), reported


def table(checkov_python: Path, schemas: Path, supported_file: Path, source: str) -> dict[str, Any]:
    version, cfn_types, reported = checkov_cfn_types(checkov_python)
    try:
        supported = supported_file.read_text(encoding="utf-8").split()
    except OSError as exc:
        raise PreflightError(f"{supported_file}: cannot read: {exc.strerror}") from None
    mapped, unmappable, missing = derive(cfn_types, sdk_resource_tokens(), supported)
    names: dict[str, Any] = {}
    for cfn_type in mapped:
        path = schema_file(schemas, cfn_type)
        try:
            names[cfn_type] = names_of(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as exc:
            raise PreflightError(f"{path}: cannot read the CloudFormation schema: {exc}") from None
    return {
        "generated_by": "python -m preflight.cfn.derive --write",
        "schemas": source,
        "checkov_version": version,
        "pulumi_aws_native_version": _sdk_version(),
        "checked_types": sorted(cfn_types),
        "reporting_checks": reported,
        "mapped": mapped,
        "unmappable": unmappable,
        "missing": missing,
        "names": names,
        "inspected": checkov_inspected(checkov_python, mapped),
    }


def _sdk_version() -> str:
    from importlib.metadata import version  # noqa: PLC0415

    return version("pulumi_aws_native")


@functools.cache
def stored() -> Mapping[str, Any]:
    """The stored table (`native_types.json`)."""
    data: Mapping[str, Any] = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    return data


@functools.cache
def reporting_checks() -> Mapping[str, tuple[str, ...]]:
    """CloudFormation type -> the checks that list each resource of it in checkov's report (`checkov_cfn_types`);
    a type checkov checks but that is absent here has no checks of its own."""
    return {t: tuple(ids) for t, ids in stored()["reporting_checks"].items()}


@functools.cache
def inspected_properties() -> Mapping[str, Mapping[str, Mapping[str, tuple[str, ...]]]]:
    """CloudFormation type -> check id -> `paths` and `words` it reads, from the stored table (`inspected`)."""
    return {
        cfn_type: {
            check_id: {"paths": tuple(entry["paths"]), "words": tuple(entry["words"])}
            for check_id, entry in checks.items()
        }
        for cfn_type, checks in stored().get("inspected", {}).items()
    }


@functools.cache
def cfn_types_by_token() -> Mapping[str, str]:
    """aws-native token -> CloudFormation type, for the types checkov checks."""
    return {token: cfn_type for cfn_type, token in stored()["mapped"].items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m preflight.cfn.derive", description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {TABLE_FILE.name}")
    parser.add_argument(
        "--checkov-python", default=str(derived_tables.DEFAULT_CHECKOV_PYTHON), help="checkov's interpreter"
    )
    parser.add_argument("--schemas", help="pulumi-aws-native's aws-cloudformation-schema/ folder")
    parser.add_argument("--supported", help="pulumi-aws-native's supported-types.txt")
    parser.add_argument("--source", default="", help="where the schemas came from (repository and commit)")
    parser.add_argument(
        "--inspected-only",
        action="store_true",
        help="refresh only `inspected` (what each check reads) from the installed checkov; no schemas needed",
    )
    args = parser.parse_args(argv)
    if not args.inspected_only and not (args.schemas and args.supported):
        parser.error("--schemas and --supported are required (or --inspected-only)")
    try:
        if args.inspected_only:
            data = {**stored(), "inspected": checkov_inspected(Path(args.checkov_python), stored()["mapped"])}
        else:
            data = table(Path(args.checkov_python), Path(args.schemas), Path(args.supported), args.source)
    except PreflightError as exc:
        print(f"preflight: error: {exc}", file=sys.stderr)
        return 2
    stored_tables.emit(data, TABLE_FILE, write=args.write, indent=1)
    return 1 if data["missing"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
