"""preflight.stackconfig without synthesis: Pulumi.yaml and Pulumi.<stack>.yaml read as the Pulumi CLI reads
them (defaults, required keys, secrets, JSON text for structured values) and every refusal as one line
naming the file (exit 2 at the command line)."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.errors import ConfigError
from preflight.stackconfig import (
    SECRET_PLACEHOLDER,
    StackConfig,
    environments_note,
    load_project,
    load_stack_config,
    missing_stack_file_note,
    split_stack,
    stack_file,
    stack_organization,
)


def _program(tmp_path: Path, project: str = "name: shop\nruntime: python\n", main: str | None = "__main__.py") -> Path:
    (tmp_path / "Pulumi.yaml").write_text(project, encoding="utf-8")
    if main:
        target = tmp_path / main
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("", encoding="utf-8")
    return tmp_path


def test_a_project(tmp_path: Path) -> None:
    project = load_project(_program(tmp_path))
    assert (project.name, project.path, project.main) == ("shop", tmp_path / "Pulumi.yaml", tmp_path / "__main__.py")


def test_runtime_as_a_mapping_and_main_as_a_directory_or_file(tmp_path: Path) -> None:
    text = "name: shop\nruntime:\n  name: python\n  options: {virtualenv: venv}\nmain: src\n"
    assert load_project(_program(tmp_path, text, "src/__main__.py")).main == tmp_path / "src" / "__main__.py"
    other = tmp_path / "other"
    other.mkdir()
    assert load_project(_program(other, "name: s\nruntime: python\nmain: app.py\n", "app.py")).main == other / "app.py"


def test_pulumi_yml_is_read_too(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yml").write_text("name: shop\nruntime: python\n", encoding="utf-8")
    (tmp_path / "__main__.py").write_text("", encoding="utf-8")
    assert load_project(tmp_path).path == tmp_path / "Pulumi.yml"


@pytest.mark.parametrize(
    ("text", "main", "message"),
    [
        (None, None, "Pulumi.yaml: no Pulumi project here (Pulumi.yaml not found)"),
        ("- a\n", "__main__.py", "Pulumi.yaml: 'name' is required and must be a string"),
        ("name: 3\nruntime: python\n", "__main__.py", "Pulumi.yaml: 'name' is required and must be a string"),
        ("name: s\nruntime: nodejs\n", "__main__.py", "Pulumi.yaml: runtime is 'nodejs'; preflight runs Python programs only"),
        ("name: s\nruntime: {name: go}\n", "__main__.py", "Pulumi.yaml: runtime is 'go'; preflight runs Python programs only"),
        ("name: s\n", "__main__.py", "Pulumi.yaml: runtime is None; preflight runs Python programs only"),
        ("name: s\nruntime: python\n", None, "Pulumi.yaml: program entry point {dir}/__main__.py not found"),
        ("name: s\nruntime: python\nmain: app.py\n", None, "Pulumi.yaml: program entry point {dir}/app.py not found"),
        ("name: [s\n", None, "Pulumi.yaml: line 2: malformed YAML: expected ',' or ']', but got '<stream end>'"),
    ],
    ids=["bad1_no_project", "bad2_not_a_mapping", "bad3_name_not_text", "bad4_node", "bad5_runtime_mapping", "bad6_no_runtime",
         "bad7_no_main", "bad8_main_file_missing", "bad9_malformed"],
)  # fmt: skip
def test_project_refusals(tmp_path: Path, text: str | None, main: str | None, message: str) -> None:
    if text is not None:
        _program(tmp_path, text, main)
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path)
    assert str(caught.value) == f"{tmp_path}/" + message.format(dir=tmp_path)


def _stack(tmp_path: Path, text: str, project: str = "name: shop\nruntime: python\n") -> Path:
    _program(tmp_path, project)
    (tmp_path / "Pulumi.dev.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_stack_values_as_the_sdk_receives_them(tmp_path: Path) -> None:
    text = (
        "config:\n"
        "  aws:region: us-east-1\n"
        "  shop:replicas: 3\n"
        "  tier: pro\n"
        "  shop:tags: {team: platform}\n"
        "  shop:enabled: true\n"
        "  shop:until: 2027-02-28\n"
        "  shop:token:\n    secure: AAABAcipher\n"
        "  shop:notsecret: {secure: x, other: y}\n"
    )
    config = load_stack_config(_stack(tmp_path, text), "shop", "dev")
    assert config.path == tmp_path / "Pulumi.dev.yaml" and config.stack == "dev"
    assert config.values == {
        "aws:region": "us-east-1",
        "shop:replicas": "3",
        "shop:tier": "pro",
        "shop:tags": '{"team": "platform"}',
        "shop:enabled": "true",
        "shop:until": "2027-02-28",
        "shop:token": SECRET_PLACEHOLDER,
        "shop:notsecret": '{"secure": "x", "other": "y"}',
    }
    assert config.secret_keys == ("shop:token",)


def test_project_defaults_fill_what_the_stack_does_not_set(tmp_path: Path) -> None:
    project = (
        "name: shop\nruntime: python\nconfig:\n"
        "  tier: {type: string, default: micro}\n"
        "  shop:replicas: {default: 2}\n"
        "  aws:region: eu-west-1\n"
        "  logLevel: {value: INFO}\n"
        "  aws:profile: {type: string}\n"
    )
    config = load_stack_config(_stack(tmp_path, "config:\n  tier: pro\n", project), "shop", "dev")
    assert config.values == {
        "shop:tier": "pro",
        "shop:replicas": "2",
        "aws:region": "eu-west-1",
        "shop:logLevel": "INFO",
    }
    assert list(config.values)[-1] == "shop:tier"


def test_an_empty_stack_file_is_an_empty_config(tmp_path: Path) -> None:
    assert load_stack_config(_stack(tmp_path, ""), "shop", "dev").values == {}
    assert load_stack_config(_stack(tmp_path, "config:\n"), "shop", "dev").secret_keys == ()


@pytest.mark.parametrize(
    ("stack_text", "project", "message"),
    [
        ("- a\n", None, "Pulumi.dev.yaml: expected a mapping at the top level"),
        ("config: [a]\n", None, "Pulumi.dev.yaml: 'config' must be a mapping of keys to values"),
        ("config: {}\n", "name: shop\nruntime: python\nconfig: [a]\n", "Pulumi.yaml: 'config' must be a mapping of keys to types or values"),
        ("config: {}\n", "name: shop\nruntime: python\nconfig:\n  budget: {type: integer}\n  key: {type: string}\n",
         "Pulumi.dev.yaml: missing required configuration shop:budget, shop:key (declared in Pulumi.yaml)"),
        ("config: {a: [\n", None, "Pulumi.dev.yaml: line 2: malformed YAML: expected the node content, but found '<stream end>'"),
    ],
    ids=["bad1_not_a_mapping", "bad2_config_not_a_mapping", "bad3_project_config_not_a_mapping", "bad4_required_missing", "bad5_malformed"],
)  # fmt: skip
def test_stack_refusals(tmp_path: Path, stack_text: str, project: str | None, message: str) -> None:
    _stack(tmp_path, stack_text, project or "name: shop\nruntime: python\n")
    with pytest.raises(ConfigError) as caught:
        load_stack_config(tmp_path, "shop", "dev")
    assert str(caught.value).startswith(f"{tmp_path}/{message}")


def test_a_stack_without_a_file_has_the_projects_defaults_only(tmp_path: Path) -> None:
    """The CLI reads a missing stack file as an empty config (pulumi/pulumi loaders.go `LoadProjectStack`)."""
    _program(tmp_path, "name: shop\nruntime: python\nconfig:\n  aws:region: eu-west-1\n  tier:\n    default: lite\n")
    config = load_stack_config(tmp_path, "shop", "prod")
    assert config == StackConfig(
        tmp_path / "Pulumi.prod.yaml", "prod", {"aws:region": "eu-west-1", "shop:tier": "lite"}, (), found=False
    )
    assert str(missing_stack_file_note(config, tmp_path)).startswith("stack file: Pulumi.prod.yaml not found")
    (tmp_path / "Pulumi.prod.yaml").write_text("", encoding="utf-8")
    assert missing_stack_file_note(load_stack_config(tmp_path, "shop", "prod"), tmp_path) is None


def test_a_missing_stack_file_is_refused_where_the_program_keeps_others(tmp_path: Path) -> None:
    """A mistyped --stack must not pass as an unconfigured stack (review s9, finding 3)."""
    _stack(tmp_path, "config: {}\n")
    (tmp_path / "Pulumi.prod.yaml").write_text("", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_stack_config(tmp_path, "shop", "prdo")
    assert str(caught.value).startswith(
        f"{tmp_path}/Pulumi.prdo.yaml: stack file not found, and the program keeps stack files for dev, prod: "
    )


def test_an_absolute_stack_folder_is_under_the_project_as_go_joins_it(tmp_path: Path) -> None:
    """filepath.Join(dir, "/stacks", f) is dir/stacks/f (review s9, finding 1); Python's `/` would leave dir."""
    _program(tmp_path, "name: shop\nruntime: python\nstackConfigDir: /stacks\n")
    assert stack_file(tmp_path, "dev") == tmp_path / "stacks" / "Pulumi.dev.yaml"
    config = load_stack_config(tmp_path, "shop", "dev")
    assert str(missing_stack_file_note(config, tmp_path)).startswith("stack file: stacks/Pulumi.dev.yaml not found")


def test_two_project_files_are_refused(tmp_path: Path) -> None:
    """The CLI runs the first it finds (Pulumi.json first); a reviewer reading the other sees another program."""
    _program(tmp_path)
    (tmp_path / "Pulumi.json").write_text('{"name": "shop", "runtime": "python"}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"more than one Pulumi project file \(Pulumi\.json, Pulumi\.yaml\)"):
        load_project(tmp_path)
    with pytest.raises(ConfigError, match=r"more than one Pulumi project file"):
        stack_file(tmp_path, "dev")


def test_a_json_project_reads_a_json_stack_file(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.json").write_text('{"name": "shop", "runtime": "python"}', encoding="utf-8")
    (tmp_path / "__main__.py").write_text("", encoding="utf-8")
    (tmp_path / "Pulumi.dev.json").write_text('{"config": {"aws:region": "sa-east-1"}}', encoding="utf-8")
    assert load_project(tmp_path).name == "shop"
    assert load_stack_config(tmp_path, "shop", "dev").values == {"aws:region": "sa-east-1"}


def test_an_empty_stack_folder_key_beside_config_as_a_folder_is_refused(tmp_path: Path) -> None:
    """The CLI checks that the key is present, whatever its value (project.go RewriteConfigPathIntoStackConfigDir)."""
    _program(tmp_path, "name: shop\nruntime: python\nconfig: a\nstackConfigDir:\n")
    with pytest.raises(ConfigError, match=r"use either 'config: <folder>' or 'stackConfigDir'"):
        stack_file(tmp_path, "dev")


def test_a_stack_without_a_file_still_needs_the_projects_required_keys(tmp_path: Path) -> None:
    _program(tmp_path, "name: shop\nruntime: python\nconfig:\n  tier:\n    type: string\n")
    with pytest.raises(ConfigError, match=r"Pulumi\.prod\.yaml: missing required configuration shop:tier"):
        load_stack_config(tmp_path, "shop", "prod")


@pytest.mark.parametrize(
    ("project", "expected"),
    [
        ("name: shop\nruntime: python\n", "Pulumi.dev.yaml"),
        ("name: shop\nruntime: python\nstackConfigDir: stacks\n", "stacks/Pulumi.dev.yaml"),
        ("name: shop\nruntime: python\nconfig: stacks\n", "stacks/Pulumi.dev.yaml"),  # the older form
    ],
    ids=["beside_the_project", "stackConfigDir", "config_as_a_folder"],
)
def test_the_stack_file_is_where_the_cli_looks(tmp_path: Path, project: str, expected: str) -> None:
    """pulumi/pulumi paths.go `ProjectStackPath` and project.go `RewriteConfigPathIntoStackConfigDir`."""
    _program(tmp_path, project)
    (tmp_path / "stacks").mkdir()
    (tmp_path / expected).write_text("config:\n  aws:region: ap-south-1\n", encoding="utf-8")
    assert stack_file(tmp_path, "dev") == tmp_path / expected
    config = load_stack_config(tmp_path, "shop", "dev")
    assert config.found and config.values == {"aws:region": "ap-south-1"}


def test_a_yml_project_reads_a_yml_stack_file(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yml").write_text("name: shop\nruntime: python\n", encoding="utf-8")
    (tmp_path / "__main__.py").write_text("", encoding="utf-8")
    (tmp_path / "Pulumi.dev.yml").write_text("config:\n  aws:region: ca-central-1\n", encoding="utf-8")
    assert load_stack_config(tmp_path, "shop", "dev").values == {"aws:region": "ca-central-1"}


def test_both_forms_of_the_stack_folder_are_refused(tmp_path: Path) -> None:
    _program(tmp_path, "name: shop\nruntime: python\nconfig: a\nstackConfigDir: b\n")
    with pytest.raises(ConfigError, match=r"Pulumi\.yaml: use either 'config: <folder>' or 'stackConfigDir'"):
        stack_file(tmp_path, "dev")


@pytest.mark.parametrize(
    ("value", "stack", "project", "organization"),
    [("dev", "dev", None, None), ("shop/dev", "dev", "shop", None), ("acme/shop/dev", "dev", "shop", "acme")],
)
def test_split_stack(value: str, stack: str, project: str | None, organization: str | None) -> None:
    assert split_stack(value) == (stack, project)
    assert stack_organization(value) == organization


@pytest.mark.parametrize("value", ["a/b/c/d", "shop/", "/dev", "", "a//c"])
def test_split_stack_refusals(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        split_stack(value)
    assert str(caught.value) == f"--stack {value!r}: expected STACK, PROJECT/STACK or ORG/PROJECT/STACK"
    assert stack_organization(value) is None


@pytest.mark.parametrize(
    ("block", "environments"),
    [
        ("environment:\n  - pulumi-idp/auth\n  - shop/dev\n", ("pulumi-idp/auth", "shop/dev")),
        ("environment: shop/dev\n", ("shop/dev",)),
        ("environment:\n  imports: [shop/dev]\n", ('{"imports": ["shop/dev"]}',)),
        ("environment: []\n", ()),
        ("", ()),
    ],
    ids=["list", "one_name", "another_shape", "empty", "none"],
)  # fmt: skip
def test_the_esc_environments_a_stack_imports_are_named(
    tmp_path: Path, block: str, environments: tuple[str, ...]
) -> None:
    """pulumi/workshops aws-getting-started-py (ef26558:solution/Pulumi.dev.yaml) imports `pulumi-idp/auth`; preview
    merges an imported environment's pulumiConfig into the config (https://www.pulumi.com/docs/esc/guides/pulumi-iac/),
    the gate cannot open it, and said nothing: the program's defaults were judged as if nothing were missing."""
    _program(tmp_path)
    _stack(tmp_path, block + "config:\n  aws:region: us-east-1\n")
    config = load_stack_config(tmp_path, "shop", "dev")
    assert config.environments == environments
    note = environments_note(config)
    if environments:
        assert str(note).startswith(
            f"stack environments: Pulumi.dev.yaml imports ESC environment(s) {', '.join(environments)}; "
        )
    else:
        assert note is None
