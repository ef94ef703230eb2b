"""Generated Pulumi programs of a chosen size, for the linear-growth benchmarks."""

from __future__ import annotations

from pathlib import Path

_MAIN = '''
import json
import pulumi
import pulumi_aws as aws

RESOURCES = {count}


def tag(args):
    if args.custom and args.type_ in ("aws:sqs/queue:Queue", "aws:s3/bucket:Bucket"):
        props = dict(args.props)
        props["tags"] = {{**(props.get("tags") or {{}}), "environment": "bench"}}
        return pulumi.ResourceTransformResult(props, args.opts)
    return None


pulumi.runtime.register_resource_transform(tag)


class Unit(pulumi.ComponentResource):
    """Three related resources: a bucket, its public-access block and a queue."""

    def __init__(self, name):
        super().__init__("bench:index:Unit", name, None)
        child = pulumi.ResourceOptions(parent=self)
        bucket = aws.s3.Bucket(f"{{name}}-bucket", opts=child)
        aws.s3.BucketPublicAccessBlock(
            f"{{name}}-pab", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True, opts=child,
        )
        aws.sqs.Queue(f"{{name}}-queue", message_retention_seconds=1209600, opts=child)
        self.register_outputs({{}})


for i in range(RESOURCES // 3):
    Unit(f"unit{{i}}")
for i in range(RESOURCES % 3):
    aws.sqs.Queue(f"extra{{i}}")
'''


def write_generated_program(root: Path, resources: int) -> Path:
    """A program registering exactly `resources` custom resources (plus components)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text("name: bench\nruntime: python\n", encoding="utf-8")
    (root / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n", encoding="utf-8")
    (root / "__main__.py").write_text(_MAIN.format(count=resources), encoding="utf-8")
    return root
