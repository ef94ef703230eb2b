"""provider-no-hard-coded-credentials (issue 11 §5): an AWS provider given a literal access key or secret key, in the
program or the stack's plain config, is a finding; a `secure:` key is one too (the CLI
reports its plaintext); a role is not.
cdk-nag style: Compliance and numbered Noncompliance cases, from real programs synthesised offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.rules.provider_credentials import in_program
from policies.secret_values import aws_credential_shape
from preflight.engine import synthesize
from preflight.graph import ResourceGraph
from tests.policies.conftest import HEADER, flagged, run_one

POLICY = "provider-no-hard-coded-credentials"
#: The IAM User Guide's example key pair (security-creds-programmatic-access.html), no real credentials.
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

CASES: dict[str, tuple[str, str, set[str]]] = {
    "bad1_literal_keys": (
        f'p = aws.Provider("keys", region="us-east-1", access_key="{ACCESS_KEY}", secret_key="{SECRET_KEY}")\n',
        "",
        {"keys"},
    ),
    "bad2_literal_secret_key_only": (
        f'p = aws.Provider("half", region="us-east-1", secret_key="{SECRET_KEY}")\n',
        "",
        {"half"},
    ),
    # The default provider is no node of the graph: its finding is the stack's (resource "").
    "bad3_plain_stack_config_of_the_default_provider": ("", f"  aws:accessKey: {ACCESS_KEY}\n", {""}),
    "ok1_role": (
        'p = aws.Provider("role", region="us-east-1", assume_roles=[{"role_arn": '
        '"arn:aws:iam::111122223333:role/deploy"}])\n',
        "",
        set(),
    ),
    # Under the CLI the pack sees a secret's plaintext (a key's shape) and reports it: offline says the same.
    "bad4_secure_config": (
        'cfg = pulumi.Config("creds")\n'
        'p = aws.Provider("secret", region="us-east-1", access_key=cfg.require_secret("accessKey"), '
        'secret_key=cfg.require_secret("secretKey"))\n',
        "  creds:accessKey:\n    secure: v1:AAAA\n  creds:secretKey:\n    secure: v1:BBBB\n",
        {"secret"},
    ),
    # review4 s11 #9 (/work/notes/s11/review4/provkeys): a key file committed beside the program.
    "bad5_credentials_file_in_the_program": (
        'p = aws.Provider("fromfile", region="us-east-1", shared_credentials_files=["./credentials"], '
        'profile="deploy")\n',
        "",
        {"fromfile"},
    ),
    "bad6_config_file_in_a_subdirectory": (
        'p = aws.Provider("conf", region="us-east-1", shared_config_files=["~/.aws/config", ".aws/config"])\n',
        "",
        {"conf"},
    ),
    "bad7_aws_native_credentials_file": (
        "import pulumi_aws_native as native\n"
        'p = native.Provider("native", region="us-east-1", shared_credentials_file="deploy/../keys/credentials")\n',
        "",
        {"native"},
    ),
    "bad8_default_provider_from_stack_config": ("", '  aws:sharedCredentialsFiles: ["credentials"]\n', {""}),
    "ok2_profile_and_home_files": (
        'p = aws.Provider("home", region="us-east-1", profile="deploy", '
        'shared_credentials_files=["~/.aws/credentials", "$HOME/.aws/alt"], shared_config_files=["/etc/aws/config"])\n',
        "",
        set(),
    ),
    "ok3_a_file_outside_the_program": (
        'p = aws.Provider("outside", region="us-east-1", shared_credentials_files=["../secrets/credentials"])\n',
        "",
        set(),
    ),
}


def _graph(directory: Path, provider: str, config: str) -> ResourceGraph:
    """A program with `provider` (if any) and a bucket under it, `config` added to the stack's."""
    (directory / "Pulumi.yaml").write_text("name: creds\nruntime: python\n")
    (directory / "Pulumi.dev.yaml").write_text(f"config:\n  aws:region: us-east-1\n{config}")
    opts = ", opts=pulumi.ResourceOptions(provider=p)" if provider else ""
    (directory / "__main__.py").write_text(f'{HEADER}{provider}aws.s3.BucketV2("b"{opts})\n')
    return synthesize(directory, "dev")


@pytest.mark.parametrize("case", sorted(CASES))
def test_provider_credentials(tmp_path: Path, case: str) -> None:
    provider, config, expected = CASES[case]
    assert flagged(_graph(tmp_path, provider, config), POLICY) == expected


def test_the_finding_names_the_inputs(tmp_path: Path) -> None:
    (finding,) = run_one(_graph(tmp_path, *CASES["bad1_literal_keys"][:2]), POLICY)
    assert "hard-coded accessKey and secretKey" in finding.message


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("accessKey", ACCESS_KEY, True),
        ("accessKey", "ASIAIOSFODNN7EXAMPLE", True),
        ("accessKey", "preflight-placeholder-secret", False),
        ("accessKey", "AKIA-not-a-key", False),
        ("secretKey", SECRET_KEY, True),
        ("secretKey", "[secret]", False),
        ("secretKey", SECRET_KEY + "x", False),
        ("region", ACCESS_KEY, False),
    ],
)
def test_credential_shapes(field: str, value: str, expected: bool) -> None:
    assert aws_credential_shape(field, value) is expected


def test_a_secret_key_is_named_as_one(tmp_path: Path) -> None:
    """The secret case says why a key the program keeps secret is still reported (the CLI sees its plaintext)."""
    (finding,) = run_one(_graph(tmp_path, *CASES["bad4_secure_config"][:2]), POLICY)
    assert "static accessKey and secretKey from a secret" in finding.message


@pytest.mark.parametrize(
    ("path", "inside"),
    [
        ("./credentials", True),
        ("credentials", True),
        (".aws/config", True),
        ("a/../b/credentials", True),
        ("keys\\credentials", True),
        ("../credentials", False),
        ("a/../../credentials", False),
        ("~/.aws/credentials", False),
        ("$HOME/.aws/credentials", False),
        ("%USERPROFILE%\\.aws\\credentials", False),
        ("/etc/aws/credentials", False),
        ("C:\\aws\\credentials", False),
    ],
)
def test_in_program(path: str, inside: bool) -> None:
    assert in_program(path) is inside


def test_the_key_file_finding_names_the_file(tmp_path: Path) -> None:
    (finding,) = run_one(_graph(tmp_path, *CASES["bad5_credentials_file_in_the_program"][:2]), POLICY)
    assert "reads credentials from ./credentials, a file inside the program's directory" in finding.message


KEY_POLICY = "iam-no-user-access-keys"
#: An IAM user and an access key of it, with the key's own arguments (the pulumi/docs "IAM user with an access key"
#: idiom: tests/preflight/public_programs.py).
KEY_CASES: dict[str, tuple[str | None, set[str]]] = {
    "bad1_default_status_is_active": ("", {"key"}),
    "bad2_active": ('status="Active"', {"key"}),
    "ok1_inactive": ('status="Inactive"', set()),
    "ok2_no_key": (None, set()),
}


@pytest.mark.parametrize("case", sorted(KEY_CASES))
def test_user_access_keys(tmp_path: Path, case: str) -> None:
    arguments, expected = KEY_CASES[case]
    (tmp_path / "Pulumi.yaml").write_text("name: keys\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    key = (
        ""
        if arguments is None
        else f'aws.iam.AccessKey("key", user=user.name{", " + arguments if arguments else ""})\n'
    )
    (tmp_path / "__main__.py").write_text(f'{HEADER}user = aws.iam.User("ci")\n{key}')
    graph = synthesize(tmp_path, "dev")
    assert flagged(graph, KEY_POLICY) == expected
    if expected:
        (finding,) = run_one(graph, KEY_POLICY)
        assert finding.resource == "key" and "creates an active long-term access key" in finding.message
