"""AgenticPlatform: the whole environment composed from settings (the five layers plus governance)."""

from __future__ import annotations

import pulumi

from components.settings import PlatformSettings


class AgenticPlatform(pulumi.ComponentResource):
    """One environment of the platform, built only from its validated settings."""

    outputs: dict[str, pulumi.Input[str]]

    def __init__(self, name: str, settings: PlatformSettings, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("agentic:platform:AgenticPlatform", name, None, opts)
        self.outputs = {}
        self.register_outputs(self.outputs)
