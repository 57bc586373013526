"""Which AWS partitions a catalog may use, and what silolake refuses in each (issue 23).

Every ARN and service principal silolake writes follows the partition of the region it
addresses (:mod:`silolake.aws.arns`), so a catalog is refused only for what AWS itself would
refuse or what silolake has not proven:

- **One partition per organization.** AWS Organizations holds accounts of one partition only
  (a GovCloud account is a separate account, paired with a commercial one for billing), so
  every region of ``organization.allowed_regions`` must be in the home region's partition.
- **Supported partitions**: commercial ``aws`` and ``aws-us-gov`` (AWS GovCloud (US)). China
  (``aws-cn``), the AWS European Sovereign Cloud (``aws-eusc``) and the ISO partitions are
  refused with the reason (:data:`REFUSED`).
- **SCP budget**: a GovCloud ARN is 7 characters longer (``arn:aws-us-gov:``), and the delivery
  chain's SCP names the deploy role 12 times within AWS's 5,120 characters
  (:mod:`silolake.policy.chain`), so in GovCloud the deploy role name is at most
  :data:`GOVCLOUD_DEPLOY_ROLE_MAX` characters (64 in the commercial partition).
- **Capabilities AWS does not offer in a partition** (:data:`GOVCLOUD_REFUSED`): refused where
  the catalog asks for them, located at the key that asks, rather than synthesizing a
  resource AWS rejects at apply.

:func:`partition_findings` returns ``(key path, message, at_key)`` tuples, like
:func:`silolake.catalog.limits.derived_name_findings`. The table is documented in
docs/security.md ("Regions and partitions").
"""

from __future__ import annotations

from ..aws.arns import COMMERCIAL, partition_of
from ..channels import CHANNELS
from .errors import Path as KeyPath
from .source import as_dict, as_list

GOVCLOUD = "aws-us-gov"
#: Partitions silolake synthesizes for (ARNs, principals and endpoints proven by tests/aws/test_partitions.py).
SUPPORTED = (COMMERCIAL, GOVCLOUD)
#: Why each other partition is refused.
REFUSED = {
    "aws-cn": (
        "the China regions are a separate partition run by local operators: accounts are opened "
        "apart from AWS, public endpoints need an ICP filing, endpoints end in amazonaws.com.cn, "
        "and CloudFront, which the partner pages use, is served only with an ICP-licensed domain"
    ),
    "aws-eusc": (
        "the AWS European Sovereign Cloud (eusc-de-east-1) is a separate partition with its own IAM, "
        "billing and console, endpoints ending in amazonaws.eu and a service set of its own that silolake "
        "has not proven (ARNs, service principals, CloudFront for the partner pages)"
    ),
    "aws-iso": "the ISO partitions are air-gapped, with their own endpoints and service set silolake does not know",
}
#: What a catalog may ask for that AWS GovCloud (US) does not offer (AWS GovCloud (US) User
#: Guide, "Services in AWS GovCloud (US) Regions"): the reason, quoted in the message.
GOVCLOUD_REFUSED = {
    "partner_access": (
        "Amazon CloudFront is not offered in AWS GovCloud (US), and partner access (the sign-in "
        "and upload pages every sftp, upload and api flow depends on) is served through it"
    ),
    "account_creation": (
        "AWS Organizations creates GovCloud accounts only from the paired commercial organization "
        "(CreateGovCloudAccount), as standalone accounts the GovCloud organization then invites; "
        "create the account that way and give its account_id"
    ),
    "connection_source": (
        "silolake has not proven the CodeConnections GitHub source in AWS GovCloud (US); "
        "use delivery.pipeline.source.s3 there: a zip of the repository in a versioned bucket of the "
        "datalake account (give its bucket and key)"
    ),
}


#: The longest deploy role name whose delivery chain SCP fits in GovCloud, with the longest
#: organization name (12) and state bucket prefix (24): 5,114 of 5,120 characters
#: (``tests/aws/test_partitions.py`` renders it, and one character more overflows).
GOVCLOUD_DEPLOY_ROLE_MAX = 54


#: The fix of a refused partner channel in AWS GovCloud (US), where a silo holds no flows yet.
GOVCLOUD_NO_FLOWS = "a silo in AWS GovCloud (US) holds no flows yet"


def _why_refused(partition: str) -> str:
    return REFUSED.get(partition, REFUSED["aws-iso"])


def partition_findings(data: dict) -> list[tuple[KeyPath, str, bool]]:
    """Partition problems of the raw catalog ``data`` (malformed entries are the schema's)."""
    org = as_dict(data.get("organization"))
    home = org.get("home_region")
    home_partition = partition_of(home) if isinstance(home, str) else None
    found: list[tuple[KeyPath, str, bool]] = []
    for i, region in enumerate(as_list(org.get("allowed_regions"))):
        if not isinstance(region, str):
            continue
        partition = partition_of(region)
        path: KeyPath = ("organization", "allowed_regions", i)
        if partition not in SUPPORTED:
            found.append(
                (
                    path,
                    f"region '{region}' is in the {partition} partition, which silolake refuses: "
                    f"{_why_refused(partition)}. Use regions of the commercial 'aws' or the 'aws-us-gov' partition",
                    False,
                )
            )
        elif home_partition in SUPPORTED and partition != home_partition:
            found.append(
                (
                    path,
                    f"region '{region}' is in the {partition} partition but the home region '{home}' is in "
                    f"{home_partition}: an AWS organization holds accounts of one partition only, so every "
                    f"allowed region must be in {home_partition}",
                    False,
                )
            )
    if home_partition == GOVCLOUD:
        found += _govcloud_findings(data)
    return found


def _govcloud_findings(data: dict) -> list[tuple[KeyPath, str, bool]]:
    """Capabilities of a GovCloud organization's catalog that AWS GovCloud (US) does not offer."""
    found: list[tuple[KeyPath, str, bool]] = []
    role = as_dict(data.get("organization")).get("deploy_role_name")
    if isinstance(role, str) and len(role) > GOVCLOUD_DEPLOY_ROLE_MAX:
        found.append(
            (
                ("organization", "deploy_role_name"),
                f"deploy role name of {len(role)} characters: in AWS GovCloud (US) at most "
                f"{GOVCLOUD_DEPLOY_ROLE_MAX}, or the delivery chain's SCP, which names it 12 times in ARNs "
                "7 characters longer than commercial ones, exceeds AWS's 5,120 characters",
                False,
            )
        )
    partner = GOVCLOUD_REFUSED["partner_access"]
    for i, silo in enumerate(as_list(data.get("silos"))):
        silo = as_dict(silo)
        if "email" in silo:
            why = GOVCLOUD_REFUSED["account_creation"]
            found.append((("silos", i, "email"), f"silolake cannot create accounts in AWS GovCloud (US): {why}", True))
        ingestion = as_dict(silo.get("ingestion"))
        for key in ("sftp", "web_upload"):
            if as_dict(ingestion.get(key)).get("enabled") is True:
                path: KeyPath = ("silos", i, "ingestion", key, "enabled")
                found.append(
                    (
                        path,
                        f"{key} is not available in AWS GovCloud (US): {partner}. Remove the "
                        f"{key} channel (or set enabled: false): {GOVCLOUD_NO_FLOWS}",
                        False,
                    )
                )
        for j, flow in enumerate(as_list(silo.get("flows"))):
            source = as_dict(flow).get("source")
            if source in {c.name for c in CHANNELS}:
                path = ("silos", i, "flows", j, "source")
                found.append(
                    (
                        path,
                        f"'{source}' flows are not available in AWS GovCloud (US): {partner}. Remove the flow: "
                        f"{GOVCLOUD_NO_FLOWS}",
                        False,
                    )
                )
    source = as_dict(as_dict(as_dict(data.get("delivery")).get("pipeline")).get("source"))
    if "connection" in source:
        path = ("delivery", "pipeline", "source", "connection")
        found.append(
            (
                path,
                f"a connection source is refused in AWS GovCloud (US): {GOVCLOUD_REFUSED['connection_source']}",
                True,
            )
        )
    return found
