"""Building blocks: primitives in (names, ARNs, statements), typed handles out."""

from .athena import enforced_workgroup
from .kms import CustomerKey
from .lambda_function import LAMBDA_SRC, FunctionSpec, LambdaFunction
from .secure_bucket import Lifecycle, SecureBucket, access_log_bucket
from .service_role import ServiceRole, encrypted_log_group, service_role

__all__ = [
    "LAMBDA_SRC",
    "CustomerKey",
    "FunctionSpec",
    "LambdaFunction",
    "Lifecycle",
    "SecureBucket",
    "ServiceRole",
    "access_log_bucket",
    "encrypted_log_group",
    "enforced_workgroup",
    "service_role",
]
