"""Service control policies on the silos OU and the DataLake OU.

The documents themselves are pure functions in :mod:`silolake.policy.scp` (testable and
simulated offline without cdktf); this construct only creates the policies and attaches
them. They are attached to the *OU*, not to accounts, so a silo account is guarded from
the moment the organization creates it inside that OU, before anyone deploys into it.
SCPs never apply to the management account, which is why the org stack can always
repair them.
"""

from __future__ import annotations

from collections.abc import Mapping

from ...aws import names
from ...engine.cdk import Construct, aws
from ...policy import scp

#: Who an OU's guardrails guard (the policies' descriptions).
_GUARDED = {"silos": "silo accounts", "datalake": "every DataLake account"}


class SiloGuardrails(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        documents: Mapping[str, dict],
        target_id: str,
        ou: str = "silos",
        policy_type: str = "SERVICE_CONTROL_POLICY",
    ) -> None:
        """``documents``: ``{kind: SCP document}`` from :func:`silolake.policy.scp.silo_scps` (or
        :func:`silolake.policy.pipelines.datalake_scps`, or RCPs from :func:`silolake.policy.pipelines.silos_rcps`
        with ``policy_type="RESOURCE_CONTROL_POLICY"``); ``target_id``: the id of the OU named ``ou``.
        Both types share the 5,120-character limit :func:`silolake.policy.scp.render` checks."""
        super().__init__(scope, id)
        self.policies = {}
        for kind, doc in documents.items():
            policy = aws.organizations_policy.OrganizationsPolicy(
                self,
                kind,
                name=names.scp_name(kind, ou),
                description=f"silolake guardrails for {_GUARDED[ou]} ({kind}); managed by the org stack",
                type=policy_type,
                content=scp.render(doc),
            )
            aws.organizations_policy_attachment.OrganizationsPolicyAttachment(
                self, f"{kind}-attachment", policy_id=policy.id, target_id=target_id
            )
            self.policies[kind] = policy
