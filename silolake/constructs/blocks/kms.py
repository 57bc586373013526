"""Customer-managed KMS key with rotation and an explicit, reviewable key policy."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from ... import policy
from ...aws import arns
from ...engine.cdk import Construct, aws


class CustomerKey(Construct):
    """A symmetric KMS key (+ alias). Protected from ``terraform destroy`` unless
    ``protect`` is false: losing the key makes every object encrypted with it unreadable."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        alias: str,
        description: str,
        account_id: str,
        region: str,
        statements: Sequence[policy.Statement] = (),
        protect: bool = True,
    ) -> None:
        super().__init__(scope, id)
        doc = policy.document(
            [
                policy.key_admin_statement(arns.partition_of(region), account_id),
                policy.logs_key_statement(account_id, region),
                *statements,
            ]
        )
        self.key = aws.kms_key.KmsKey(
            self,
            "key",
            description=description,
            enable_key_rotation=True,
            rotation_period_in_days=365,
            deletion_window_in_days=30,
            policy=policy.render(doc),
            lifecycle={"prevent_destroy": protect},
        )
        self.alias = aws.kms_alias.KmsAlias(self, "alias", name=f"alias/{alias}", target_key_id=self.key.key_id)

    @cached_property
    def arn(self) -> str:
        # Read once (one engine round trip); see ServiceRole.arn.
        return self.key.arn
