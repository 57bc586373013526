"""Redshift Serverless of a silo with ``warehouse: true`` flows, in a small private VPC.

- **Network**: a /24 VPC the silo stack owns, three private subnets (one per
  Availability Zone, as Redshift Serverless asks), no internet or NAT gateway. The
  workgroup is not publicly accessible and uses *enhanced VPC routing*, so COPY traffic
  to S3 stays in the VPC through the S3 gateway endpoint -- the one endpoint the load
  needs (the Data API and KMS are called by the services, not from the VPC). The
  endpoint policy admits reads of this silo's processed bucket only. VPC flow logs go to
  a KMS-encrypted log group; the default security group allows nothing.
- **Namespace**: encrypted with the silo key; the admin password is generated and kept by
  Secrets Manager (``manage_admin_password``, secret encrypted with the silo key), never
  in Terraform state; connection, user and user-activity logs are exported to CloudWatch.
- **Load roles**: one per warehouse flow, trusted by Redshift only, reading exactly that
  flow's processed prefix (the COPY in :mod:`.warehouse_sql` names it).

Namespace and workgroup are ``prevent_destroy`` (they hold the warehouse's data).
"""

from __future__ import annotations

import ipaddress

from ... import policy
from ...aws import names
from ...catalog.flow import Flow
from ...engine.cdk import Construct, aws, typed
from ...policy.etl import flow_log_statements, load_role_statements, warehouse_endpoint_statements
from ..blocks.service_role import encrypted_log_group, service_role
from ..context import SiloContext

VPC_CIDR = "10.42.0.0/24"
SUBNET_BITS = 2  # /26 subnets: 59 usable addresses each (Redshift Serverless needs at least 3 free per RPU step)
#: Zones of the three subnets, pinned by name: a list read from AWS could grow or reorder and
#: move a subnet (and with it the workgroup). Every region silolake is used in has a, b and c;
#: in a region without them the apply fails naming the zone.
AZ_SUFFIXES = ("a", "b", "c")
#: Smallest Redshift Processing Units setting (AWS minimum 8): a silo-sized warehouse; raise when needed.
BASE_CAPACITY = 8
ADMIN_USERNAME = "silolake_admin"
LOG_EXPORTS = ["connectionlog", "useractivitylog", "userlog"]


class Warehouse(Construct):
    """VPC, Redshift Serverless namespace and workgroup, and per-flow load roles of the
    warehouse ``flows`` of the context's silo.

    Attributes: ``workgroup``, ``namespace``, ``load_roles`` (flow -> role ARN),
    ``workgroup_arn`` (literal, for policies), ``database``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        ctx: SiloContext,
        flows: tuple[Flow, ...],
    ) -> None:
        super().__init__(scope, id)
        silo, key_arn, processed_bucket = ctx.silo, ctx.key.arn, ctx.buckets["processed"].name
        name = names.etl_silo_name(silo.name, "warehouse")
        self.database = names.redshift_database(silo.name)
        vpc = aws.vpc.Vpc(
            self, "vpc", cidr_block=VPC_CIDR, enable_dns_support=True, enable_dns_hostnames=True, tags={"Name": name}
        )
        vpc_id = vpc.id  # read once: each read is an engine round trip (the same reference every time)
        aws.default_security_group.DefaultSecurityGroup(self, "default-sg", vpc_id=vpc_id)
        route_table = aws.route_table.RouteTable(self, "routes", vpc_id=vpc_id, tags={"Name": f"{name}-private"})
        route_table_id = route_table.id
        subnets = []
        ranges = ipaddress.ip_network(VPC_CIDR).subnets(prefixlen_diff=SUBNET_BITS)
        for index, (suffix, cidr) in enumerate(zip(AZ_SUFFIXES, ranges, strict=False)):
            subnet = aws.subnet.Subnet(
                self,
                f"subnet-{index}",
                vpc_id=vpc_id,
                cidr_block=str(cidr),
                availability_zone=f"{silo.region}{suffix}",
                map_public_ip_on_launch=False,
                tags={"Name": f"{name}-private-{index}"},
            )
            aws.route_table_association.RouteTableAssociation(
                self, f"subnet-{index}-routes", subnet_id=subnet.id, route_table_id=route_table_id
            )
            subnets.append(subnet)
        s3_endpoint = aws.vpc_endpoint.VpcEndpoint(
            self,
            "s3-endpoint",
            vpc_id=vpc_id,
            service_name=f"com.amazonaws.{silo.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[route_table_id],
            policy=policy.render(policy.document(warehouse_endpoint_statements(ctx.partition, processed_bucket))),
        )
        flow_log_group = names.warehouse_flow_log_group(silo.name)
        group = encrypted_log_group(self, "flow-log-group", name=flow_log_group, kms_key_arn=key_arn)
        flow_role = service_role(
            self,
            "flow-log-role",
            name=names.silo_role(silo.name, "warehouse-flow-logs"),
            service=ctx.service_principal("vpc-flow-logs"),
            description=f"VPC flow logs of silo '{silo.name}' warehouse network",
            statements=flow_log_statements(ctx.region, ctx.account_id, flow_log_group),
            trust_condition={"StringEquals": {"aws:SourceAccount": silo.account_id}},
        )
        aws.flow_log.FlowLog(
            self,
            "flow-log",
            vpc_id=vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=flow_role.arn,
        )
        security_group = typed(aws.security_group.SecurityGroup)(
            self,
            "sg",
            name=name,
            description="silolake warehouse: no inbound; HTTPS to S3 through the gateway endpoint only",
            vpc_id=vpc_id,
            egress=[
                {
                    "description": "COPY from S3 (gateway endpoint prefix list)",
                    "fromPort": 443,
                    "toPort": 443,
                    "protocol": "tcp",
                    "prefixListIds": [s3_endpoint.prefix_list_id],
                }
            ],
        )
        self.load_roles: dict[str, str] = {}
        roles = []
        for flow in flows:
            # AWS name from storage_name: a renamed flow keeps its role (and the namespace's role list).
            role_name = names.silo_role(silo.name, f"{flow.storage_name}-load")
            role = service_role(
                self,
                f"load-{flow.name}",
                name=role_name,
                service=ctx.service_principal("redshift"),
                description=f"Redshift COPY of flow '{flow.name}' (its processed prefix only)",
                statements=load_role_statements(ctx.partition, processed_bucket, flow, key_arn),
                trust_condition={"StringEquals": {"aws:SourceAccount": silo.account_id}},
            )
            roles.append(role)
            # Literal (not the role's attribute) so the COPY statements in the definition read plainly.
            self.load_roles[flow.name] = ctx.role_arn(role_name)
        self.namespace = aws.redshiftserverless_namespace.RedshiftserverlessNamespace(
            self,
            "namespace",
            namespace_name=name,
            db_name=self.database,
            admin_username=ADMIN_USERNAME,
            manage_admin_password=True,
            admin_password_secret_kms_key_id=key_arn,
            kms_key_id=key_arn,
            iam_roles=[r.arn for r in roles],
            log_exports=LOG_EXPORTS,
            lifecycle={"prevent_destroy": True},
            depends_on=[r.policy for r in roles],
        )
        self.workgroup = typed(aws.redshiftserverless_workgroup.RedshiftserverlessWorkgroup)(
            self,
            "workgroup",
            workgroup_name=name,
            namespace_name=self.namespace.namespace_name,
            base_capacity=BASE_CAPACITY,
            enhanced_vpc_routing=True,
            publicly_accessible=False,
            subnet_ids=[s.id for s in subnets],
            security_group_ids=[security_group.id],
            config_parameter=[
                {"parameterKey": "enable_user_activity_logging", "parameterValue": "true"},
                {"parameterKey": "require_ssl", "parameterValue": "true"},
            ],
            lifecycle={"prevent_destroy": True},
        )
        self.workgroup_name = name
        # The workgroup ARN ends in a generated id: policies take the resource's attribute.
        self.workgroup_arn = self.workgroup.arn
