"""pulumi-aws-native's naming rules: CloudFormation names to the SDK's lowerCamelCase names and type tokens.

A port of pulumi/pulumi-aws-native `provider/pkg/naming/naming.go` (`ToSdkName`, `LowerAcronyms`,
`HasUppercaseAcronym`, `ToPascalCase`) and `provider/pkg/schema/gen.go` (`moduleName`, `typeName`,
`typeToken`), read at commit 43eed3b (2026-08-07). The provider generates every SDK name with these
rules, so applying them to the CloudFormation schemas gives the same names the SDK uses; the reverse
direction (SDK name -> CloudFormation name) is a table, because `IPAddress` and `IpAddress` both
become `ipAddress` (the provider's own `IrreversibleNames`).
"""

from __future__ import annotations

PACKAGE = "aws-native"


def _is_upper(char: str) -> bool:
    """`isUpperAcronymChar`: ASCII capitals and digits."""
    return "A" <= char <= "Z" or "0" <= char <= "9"


def _first_run_of_uppercase(name: str, min_length: int) -> tuple[int, int]:
    """`findFirstRunOfUppercase`: (start, end) of the first run of at least `min_length` capitals, or (-1, -1)."""
    start = -1
    for index, char in enumerate(name):
        if start == -1:
            if _is_upper(char):
                start = index
        elif not _is_upper(char):
            if index - start >= min_length:
                return start, index
            start = -1
    return (-1, -1) if start == -1 else (start, len(name))


def _starts_with_isolated_lowercase_s(rest: str) -> bool:
    """An acronym followed by a lone `s` (`ARNs`) keeps its last capital."""
    if not rest:
        return False
    return rest[0] == "s" and (len(rest) == 1 or _is_upper(rest[1]))


def _first_uppercase_acronym(name: str) -> tuple[int, int]:
    start, end = _first_run_of_uppercase(name, 2)
    if start == -1:
        return start, end
    # The last capital of a run starts the next word, unless the run ends the name or precedes a lone `s`.
    if end != len(name) and not _starts_with_isolated_lowercase_s(name[end:]):
        end -= 1
    return start, end


def has_uppercase_acronym(name: str) -> bool:
    """`HasUppercaseAcronym`: a run of more than two capitals (so the SDK name cannot be turned back)."""
    start, end = _first_uppercase_acronym(name)
    if start == -1:
        return False
    return True if end - start > 1 else has_uppercase_acronym(name[end:])


def lower_acronyms(name: str) -> str:
    """`LowerAcronyms`: `VPCEndpointService` -> `VpcEndpointService`, `SomeARNs` -> `SomeArns`."""
    start, end = _first_uppercase_acronym(name)
    if start == -1:
        return name
    start += 1  # the run's first capital stays
    return name[:start] + name[start:end].lower() + lower_acronyms(name[end:])


def to_sdk_name(name: str) -> str:
    """`ToSdkName`: a CloudFormation property name as the SDK spells it (`SSESpecification` -> `sseSpecification`)."""
    if not name:
        return name
    name = lower_acronyms(name)
    return name[0].lower() + name[1:] if "A" <= name[0] <= "Z" else name


def to_pascal_case(name: str) -> str:
    """`ToPascalCase`: the CloudFormation name of an SDK name that has no entry in the rename table."""
    return name[0].upper() + name[1:] if name and "a" <= name[0] <= "z" else name


def type_token(cfn_type: str) -> str:
    """`typeToken`: `AWS::EC2::VPCEndpointService` -> `aws-native:ec2:VpcEndpointService`.

    The Config service's module is `configuration`; a type name ending in `Output` gets `OutputResource`
    (pulumi/pulumi#8018), except `AWS::MediaConnect::FlowOutput`.
    """
    parts = cfn_type.split("::")
    if len(parts) != 3:
        raise ValueError(f"{cfn_type!r} is not a CloudFormation type (three parts joined by ::)")
    _, module, name = parts
    if module == "Config":
        module = "Configuration"
    if name.endswith("Output") and cfn_type != "AWS::MediaConnect::FlowOutput":
        name = name.removesuffix("Output") + "OutputResource"
    return f"{PACKAGE}:{lower_acronyms(module).lower()}:{lower_acronyms(name)}"
