"""The Pulumi program: load this stack's settings once, then build the platform from them."""

from __future__ import annotations

import pulumi

from components.platform import AgenticPlatform
from components.settings import StackConfigError, current_config, load_settings
from components.tagging import register_required_tags

try:
    settings = load_settings(current_config(), pulumi.get_stack(), pulumi.get_project())
except StackConfigError as error:
    # One line, no traceback, under `pulumi up` and `preflight` alike.
    raise pulumi.RunError(str(error)) from None

register_required_tags(settings.default_tags())
platform = AgenticPlatform("platform", settings)
pulumi.export("outputs", platform.outputs)
