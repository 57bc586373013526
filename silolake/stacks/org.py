"""``org`` stack: the management account (organization structure and guardrails)."""

from __future__ import annotations

from ..catalog.model import Catalog
from ..constructs.org import DataLakeOus, SiloAccount, SiloGuardrails, forget_accounts
from ..engine.cdk import Construct, TerraformOutput
from ..policy import pipelines, scp
from .base import AccountStack


class OrgStack(AccountStack):
    """``org`` in the management account: the DataLake > Silos/Analytics OUs, an account for
    every email-only silo (kept, never destroyed), the guardrail SCPs on the silos OU and the
    delivery chain's on the DataLake OU. Outputs the OU ids and created account ids that
    ``silolake bootstrap`` records."""

    def __init__(self, scope: Construct, *, catalog: Catalog) -> None:
        org = catalog.organization
        super().__init__(scope, "org", catalog=catalog, account_id=org.management_account_id, region=org.home_region)
        self.ous = DataLakeOus(self, "ous", ous=org.ous)
        SiloGuardrails(self, "guardrails", documents=scp.silo_scps(catalog), target_id=self.ous.silos.id)
        # The delivery chain's guardrail holds in every account below DataLake (docs/security.md).
        SiloGuardrails(
            self,
            "chain-guardrails",
            documents=pipelines.datalake_scps(catalog),
            target_id=self.ous.datalake.id,
            ou="datalake",
        )
        # Who may assume the roles a silo pipeline creates: a resource control policy (docs/security.md).
        SiloGuardrails(
            self,
            "trust-guardrails",
            documents=pipelines.silos_rcps(catalog),
            target_id=self.ous.silos.id,
            policy_type="RESOURCE_CONTROL_POLICY",
        )
        # Every email-only silo, decommissioned ones included: decommissioning keeps the account.
        self.accounts = {
            silo.name: SiloAccount(
                self,
                f"silo-account-{silo.name}",
                org_name=org.name,
                silo=silo,
                parent_id=self.ous.silos.id,
                deploy_role_name=org.deploy_role_name,
            )
            for silo in catalog.silos
            if silo.email
        }
        forget_accounts(self, [name for name, _ in catalog.retired_accounts])
        # What `silolake bootstrap` records in accounts.lock.json, for cross-checking after apply.
        TerraformOutput(self, "organization_id", value=self.ous.organization.id)
        TerraformOutput(self, "root_id", value=self.ous.root_id)
        for kind in ("datalake", "silos", "analytics"):
            TerraformOutput(self, f"{kind}_ou_id", value=getattr(self.ous, kind).id)
        TerraformOutput(
            self, "silo_account_ids", value={name: a.account.id for name, a in sorted(self.accounts.items())}
        )
