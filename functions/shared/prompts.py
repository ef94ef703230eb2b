"""Versioned prompt templates: load ``prompts/<name>/v<N>.yaml`` (or ``.json``) files and render them strictly.

A template file looks like::

    name: answer
    version: 1
    description: Answer a user question with a self-reported confidence.
    variables:
      question: The (redacted) user prompt.
    system: |
      You are ...
    template: |
      Question: {{question}}

Placeholders are ``{{name}}``. Loading fails when the declared ``variables`` and the placeholders
used in ``system``/``template`` differ; rendering fails on a missing or an extra variable. The
deploy-time component reads the same files through :func:`load_prompts` to create Bedrock prompt
versions, so variable names follow Bedrock's ``PromptInputVariableName`` pattern
(botocore ``bedrock-agent`` service model: ``([0-9a-zA-Z][_-]?){1,100}``).

The sources are YAML; the deployment package carries them compiled to JSON (``components.bundle``), so
the functions read templates with the standard library and PyYAML is imported only where a YAML file is
read (deploy time and tests), never in a Lambda environment. The package carries them next to this module
(:data:`DEFAULT_PROMPTS_DIR`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from functions.shared.exceptions import PromptError

VARIABLE_NAME_PATTERN = r"^([0-9a-zA-Z][_-]?){1,100}$"
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
_FILE_NAME = re.compile(r"^v([1-9][0-9]*)\.(?:ya?ml|json)$")
#: Looked up in this order: the compiled form the package carries first, then the sources.
SUFFIXES = (".json", ".yaml", ".yml")

PACKAGED_PROMPTS_DIRNAME = "templates"
"""The directory next to this module that carries the compiled templates in a deployment package."""
DEFAULT_PROMPTS_DIR = Path(__file__).with_name(PACKAGED_PROMPTS_DIRNAME)
"""``functions/shared/templates/``: the runtime reads its templates from its own package, never from a path up
the tree (which exists only in the source checkout, not when the ``functions`` package is installed, vendored or
extracted elsewhere: issue 12 §4). ``components.bundle`` writes the compiled JSON here; the program's YAML
sources stay in ``prompts/`` (deploy time: Bedrock prompt versions), and a run from the source tree names them
with ``PROMPTS_DIR``."""


def placeholders(text: str) -> set[str]:
    """Return the variable names used as ``{{name}}`` in ``text``."""
    return set(_PLACEHOLDER.findall(text))


class PromptTemplate(BaseModel):
    """One version of one prompt.

    Examples
    --------
    >>> t = PromptTemplate(name="greet", version=1, description="d", variables={"who": "w"},
    ...                    template="Hello {{who}}")
    >>> t.render(who="Ada").user
    'Hello Ada'
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^([0-9a-z][_-]?){1,100}$")  # subset of Bedrock PromptName
    version: int = Field(ge=1)
    description: str = Field(min_length=1)
    variables: dict[str, str] = Field(description="Variable name -> what it holds.")
    system: str | None = None
    template: str = Field(min_length=1)

    @field_validator("variables")
    @classmethod
    def _names_are_valid(cls, value: dict[str, str]) -> dict[str, str]:
        bad = sorted(name for name in value if not re.match(VARIABLE_NAME_PATTERN, name))
        if bad:
            raise ValueError(f"invalid variable names {bad}; allowed pattern {VARIABLE_NAME_PATTERN}")
        return value

    @model_validator(mode="after")
    def _placeholders_match_variables(self) -> PromptTemplate:
        used = placeholders(self.template) | placeholders(self.system or "")
        declared = set(self.variables)
        if used != declared:
            raise ValueError(
                f"placeholders and declared variables differ: undeclared={sorted(used - declared)}, "
                f"unused={sorted(declared - used)}"
            )
        return self

    @property
    def key(self) -> str:
        """``name@version``, the identifier logged and recorded with every answer."""
        return f"{self.name}@{self.version}"

    def render(self, **values: str) -> RenderedPrompt:
        """Substitute every variable; missing or extra variables raise :class:`PromptError`.

        Parameters
        ----------
        **values : str
            One value per declared variable.

        Returns
        -------
        RenderedPrompt
            The rendered system text (or ``None``) and user text.
        """
        declared = set(self.variables)
        missing, extra = declared - set(values), set(values) - declared
        if missing or extra:
            raise PromptError(f"{self.key}: missing variables {sorted(missing)}, extra variables {sorted(extra)}")

        def substitute(text: str) -> str:
            # One pass: a value that itself contains "{{x}}" is not expanded again.
            return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)

        return RenderedPrompt(
            system=substitute(self.system) if self.system is not None else None,
            user=substitute(self.template),
        )


class RenderedPrompt(BaseModel):
    """A prompt ready for the Converse API."""

    model_config = ConfigDict(frozen=True)

    system: str | None
    user: str


def load_prompt_file(path: Path) -> PromptTemplate:
    """Load one template file and check that its name/version match its location.

    Raises
    ------
    PromptError
        When the file is unreadable, not a mapping, invalid, or misplaced.
    """
    match = _FILE_NAME.match(path.name)
    if match is None:
        raise PromptError(f"{path}: file name must be v<N>.yaml")
    raw = _read(path)
    if not isinstance(raw, dict):
        kind = "JSON object" if path.suffix == ".json" else "YAML mapping"
        raise PromptError(f"{path}: a template must be a {kind}")
    try:
        template = PromptTemplate.model_validate(raw)
    except ValueError as exc:
        raise PromptError(f"{path}: {exc}") from exc
    if template.name != path.parent.name or template.version != int(match.group(1)):
        raise PromptError(f"{path}: declares {template.key} but lives at {path.parent.name}/{path.name}")
    return template


def _read(path: Path) -> Any:
    """The document in ``path``: JSON with the standard library, YAML with PyYAML (imported only then)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptError(f"{path}: cannot read template: {exc}") from exc
    if path.suffix == ".json":
        try:
            return json.loads(text)
        except ValueError as exc:
            raise PromptError(f"{path}: cannot read template: {exc}") from exc
    import yaml  # noqa: PLC0415 (sources only: the deployment package carries JSON)

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PromptError(f"{path}: cannot read template: {exc}") from exc


def load_prompts(root: Path) -> list[PromptTemplate]:
    """Load every prompt template under ``root`` (``root/<name>/v<N>.yaml``).

    Parameters
    ----------
    root : Path
        The ``prompts/`` directory.

    Returns
    -------
    list[PromptTemplate]
        Sorted by name, then version.

    Raises
    ------
    PromptError
        When any file is invalid (one bad template fails the whole load: better at deploy than at 3am).

    Examples
    --------
    >>> [t.key for t in load_prompts(Path("prompts"))]  # doctest: +SKIP
    ['answer@1']
    """
    if not root.is_dir():
        raise PromptError(f"{root}: prompts directory not found")
    files = sorted(p for p in root.glob("*/*") if p.is_file() and p.suffix in SUFFIXES)
    templates = [load_prompt_file(p) for p in files]
    return sorted(templates, key=lambda t: (t.name, t.version))


def get_prompt(root: Path, name: str, version: int) -> PromptTemplate:
    """Load exactly ``root/<name>/v<version>`` (``.json``, ``.yaml`` or ``.yml``)."""
    for suffix in SUFFIXES:
        path = root / name / f"v{version}{suffix}"
        if path.is_file():
            return load_prompt_file(path)
    raise PromptError(f"prompt {name}@{version} not found under {root}")
