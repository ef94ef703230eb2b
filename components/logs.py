"""EncryptedLogGroup: a CloudWatch Logs group encrypted with the stack key, with bounded retention.

Every component logs to CloudWatch Logs (P129) into a group it owns, so retention and encryption are
never left to Lambda's implicit "never expire, AWS-owned key" log group (P141, P146). Retention
comes from the stack settings (14 days in dev, 365 in prod) and must be a value CloudWatch accepts.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.kms import StackKey
from components.settings import LOG_RETENTION_DAYS, PlatformSettings


def default_log_group_name(settings: PlatformSettings, name: str) -> str:
    """`/<application>/<environment>/<name>`: the stack is in the name, so dev and prod never clash."""
    return f"/{settings.application}/{settings.environment}/{name}"


class EncryptedLogGroup(pulumi.ComponentResource):
    """A log group encrypted with the stack key, with the stack's retention.

    Examples
    --------
    >>> logs = EncryptedLogGroup("ingest", settings, key=key, log_group_name="/aws/lambda/agentic-platform-dev-ingest")
    """

    log_group: aws.cloudwatch.LogGroup
    arn: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        *,
        key: StackKey,
        log_group_name: str | None = None,
        retention_days: int | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:observability:EncryptedLogGroup", name, None, opts)
        retention = settings.log_retention_days if retention_days is None else retention_days
        if retention not in LOG_RETENTION_DAYS:
            raise ValueError(f"retention_days {retention} is not a CloudWatch Logs retention value")
        self.log_group = aws.cloudwatch.LogGroup(
            name,
            name=log_group_name or default_log_group_name(settings, name),
            retention_in_days=retention,  # P146: nothing is kept forever
            kms_key_id=key.arn,  # P141: the stack key, not the AWS-owned default
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = self.log_group.arn
        self.name = self.log_group.name
        self.register_outputs({"arn": self.arn, "name": self.name})
