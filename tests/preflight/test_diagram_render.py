"""The pull-request picture drawn by a real Mermaid: mermaid-cli in a system Chromium, to PNG and SVG.

`make mermaid` installs mermaid-cli into tools/mermaid/node_modules (ignored by git); the browser is
the system's (Debian: `apt-get install chromium`; GitHub's Ubuntu runners ship /usr/bin/chromium), or
PUPPETEER_EXECUTABLE_PATH. Without them the tests skip and say why, except under GitHub Actions,
where they must run. Set PREFLIGHT_DIAGRAM_DIR to keep the PNGs for a look:
`PREFLIGHT_DIAGRAM_DIR=build/diagrams .venv/bin/pytest tests/preflight/test_diagram_render.py`.

A render fails on any Mermaid error (mmdc exits non-zero on a parse error). Over Mermaid's size limit
mmdc still succeeds but draws "Maximum text size in diagram exceeded", so the SVG is read as well.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from preflight.engine import synthesize
from preflight.findings import Finding, Level, Source
from preflight.report.markdown import render_markdown
from tests.preflight.mermaid_support import REMOVED_FUNCTION, mermaid_blocks, pull_request_base
from tests.preflight.test_diagram import Report, many_components

ROOT = Path(__file__).resolve().parents[2]
MMDC = ROOT / "tools" / "mermaid" / "node_modules" / ".bin" / "mmdc"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Chromium as root in a container needs --no-sandbox; the rest keep a headless render small and steady.
BROWSER_ARGS = ["--no-sandbox", "--disable-setuid-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
#: What mermaid draws instead of failing (mermaid-js/mermaid packages/mermaid/src/mermaidAPI.ts).
MERMAID_ERRORS = ("Maximum text size in diagram exceeded", "Syntax error in text")


def _browser() -> str | None:
    configured = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


@pytest.fixture(scope="module")
def puppeteer_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    browser = _browser()
    missing = []
    if not MMDC.is_file():
        missing.append(f"mermaid-cli ({MMDC.relative_to(ROOT)}; run `make mermaid`)")
    if browser is None:
        missing.append("a Chromium (`apt-get install chromium`, or set PUPPETEER_EXECUTABLE_PATH)")
    if missing:
        reason = "the diagram renderer is absent: " + " and ".join(missing)
        if os.environ.get("GITHUB_ACTIONS") == "true":
            pytest.fail(reason + " (required under GitHub Actions)")
        pytest.skip(reason)
    config = tmp_path_factory.mktemp("puppeteer") / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": browser, "args": BROWSER_ARGS}), encoding="utf-8")
    return config


@dataclass(frozen=True)
class Rendered:
    svg: str
    png: bytes


def render_all(diagrams: dict[str, str], config: Path, out: Path) -> dict[str, Rendered]:
    """Render each comment's one diagram to SVG and PNG, all in one browser session per format (a
    Chromium start is most of a render's time); fail on any Mermaid error."""
    source = out / "diagrams.md"
    blocks = []
    for name, markdown in diagrams.items():
        (block,) = mermaid_blocks(markdown)
        blocks.append(f"<!-- {name} -->\n```mermaid\n" + "\n".join(block) + "\n```\n")
    source.write_text("\n".join(blocks), encoding="utf-8")
    for fmt in ("svg", "png"):
        command = [str(MMDC), "--quiet", "-p", str(config), "-i", str(source), "-o", str(out / f"{fmt}.md")]
        done = subprocess.run(
            [*command, "-e", fmt, "-s", "2"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, f"mermaid could not render: {(done.stderr + done.stdout)[-3000:]}"
    rendered = {}
    keep = os.environ.get("PREFLIGHT_DIAGRAM_DIR")
    for i, name in enumerate(diagrams, start=1):  # mmdc numbers a Markdown file's charts from 1
        svg = (out / f"svg-{i}.svg").read_text(encoding="utf-8")
        assert not [e for e in MERMAID_ERRORS if e in svg], f"mermaid drew an error for {name}"
        png = (out / f"png-{i}.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n"), name
        rendered[name] = Rendered(svg, png)
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            (Path(keep) / f"{name}.png").write_bytes(png)
    return rendered


@pytest.fixture(scope="module")
def rendered(puppeteer_config: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    dev, prod = synthesize(ROOT, "dev"), synthesize(ROOT, "prod")
    router = next(n for n in dev.custom_resources if n.name == "router")
    violations = [Finding("a-policy", Source.CROSSGUARD, Level.MANDATORY, "router", router.type, router.urn, (), "x")]
    diagrams = {
        "template-dev": render_markdown(Report(dev)),
        "template-prod": render_markdown(Report(prod, stack="prod")),
        "pull-request-dev": render_markdown(Report(dev, violations, exit_code=1), base=pull_request_base(dev)),
        "folded": render_markdown(Report(many_components(700))),
    }
    assert "fit GitHub's limits" in diagrams["folded"]
    return render_all(diagrams, puppeteer_config, tmp_path_factory.mktemp("diagrams"))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_template_renders(stack: str, rendered: dict[str, Rendered]) -> None:
    picture = rendered[f"template-{stack}"]
    for title in ("Function ingest", "EventBus bus", "Workflow pipeline", "Api"):
        assert title in picture.svg
    assert len(picture.png) > 10_000


def test_a_pull_request_diff_with_findings_renders(rendered: dict[str, Rendered]) -> None:
    picture = rendered["pull-request-dev"]
    assert f"Function {REMOVED_FUNCTION}" in picture.svg
    assert "Legend" in picture.svg and "mandatory finding" in picture.svg
    assert len(picture.png) > 10_000


def test_a_folded_picture_renders(rendered: dict[str, Rendered]) -> None:
    assert "… 693 more" in rendered["folded"].svg
