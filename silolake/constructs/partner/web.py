"""The partner web pages: a private S3 bucket behind CloudFront (origin access control).

Viewers only ever reach the bucket through the distribution (OAC signs CloudFront's
requests; the bucket policy admits ``cloudfront.amazonaws.com`` from this distribution
alone). Every response carries a strict response-headers policy: CSP with no inline
script or style, HSTS with preload, ``X-Frame-Options: DENY`` and ``frame-ancestors
'none'``, no referrer, no sniffing. CloudFront standard logs go to a bucket of their own,
the one place that needs ACLs (CloudFront's legacy log delivery writes with an ACL).

TLS: ``minimum_protocol_version`` is TLSv1.2_2021, which CloudFront applies with a
custom domain certificate; on the default ``*.cloudfront.net`` certificate CloudFront
always negotiates its own policy (TLSv1 floor, TLS 1.2/1.3 preferred). The catalog has
no domain yet, see docs/partners.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from ...aws import names, partner_access_names
from ...engine.cdk import AssetType, Construct, TerraformAsset, aws, typed
from ...partner_runtime import CONFIG_FILE, Site, content_type
from ...policy.partner import site_read_statements
from ..blocks.secure_bucket import Lifecycle, SecureBucket
from ..context import SiloContext

#: The upload page (``silolake/runtime/pages/``): published only for a silo with ``ingestion.web_upload``.
UPLOAD_PAGE_FILES = frozenset({"index.html", "partner.js", "sigv4.js", "upload.js"})
#: AWS managed cache policy "CachingOptimized".
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
HSTS_SECONDS = 63072000  # two years, the preload list's expectation
LOG_DAYS = 365


def content_security_policy(region: str, bucket: str | None, auth_domain: str) -> str:
    """Only this origin's scripts and styles; network access only to the HTTP API (any API
    Gateway endpoint of the region: naming this silo's would make the distribution depend on
    the API, whose CORS depends on the distribution), the dropzone bucket (when the upload
    page is published, ``bucket``) and Cognito."""
    connect = [
        "'self'",
        f"https://*.execute-api.{region}.amazonaws.com",
        *([f"https://{bucket}.s3.{region}.amazonaws.com"] if bucket else []),
        f"https://{auth_domain}",
        f"https://cognito-idp.{region}.amazonaws.com",
    ]
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src {' '.join(connect)}",
            f"form-action 'self' https://{auth_domain}",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


class PartnerWeb(Construct):
    """Bucket, distribution and the built ``site`` of one silo. Call :meth:`write_config`
    once the API exists. ``upload_page`` publishes the upload page (the site root) for the
    silo's dropzone bucket; without it only the admin page is published, and it is the root.
    Attributes: ``bucket``, ``distribution``, ``origin`` (``https://<distribution domain>``),
    ``headers``, ``files`` (the published site files)."""

    def __init__(self, scope: Construct, id: str, *, ctx: SiloContext, site: Site, upload_page: bool) -> None:
        super().__init__(scope, id)
        dropzone_bucket = ctx.buckets["dropzone"].name if upload_page else None
        org, silo, region = ctx.org, ctx.silo, ctx.region
        logs_bucket = ctx.bucket_name("logs")
        self.log_bucket = SecureBucket(
            self,
            "cdn-logs",
            name=ctx.bucket_name(names.PARTNER_BUCKETS[1]),
            kms_key_arn=None,
            access_log_bucket=logs_bucket,
            access_log_prefix="cdnlogs/",
            lifecycle=Lifecycle(expire_days=LOG_DAYS),
            object_ownership="BucketOwnerPreferred",
            partition=ctx.partition,
        )
        site_name = ctx.bucket_name(names.PARTNER_BUCKETS[0])
        self.headers = aws.cloudfront_response_headers_policy.CloudfrontResponseHeadersPolicy(
            self,
            "headers",
            name=partner_access_names.partner_pages_headers_policy(org, silo.name),
            comment="Strict security headers of the partner pages",
            security_headers_config={
                "content_security_policy": {
                    "content_security_policy": content_security_policy(
                        region,
                        dropzone_bucket,
                        f"{partner_access_names.partner_user_pool(org, silo.name)}.auth.{region}.amazoncognito.com",
                    ),
                    "override": True,
                },
                "strict_transport_security": {
                    "access_control_max_age_sec": HSTS_SECONDS,
                    "include_subdomains": True,
                    "preload": True,
                    "override": True,
                },
                "frame_options": {"frame_option": "DENY", "override": True},
                "content_type_options": {"override": True},
                "referrer_policy": {"referrer_policy": "no-referrer", "override": True},
                "xss_protection": {"protection": True, "mode_block": True, "override": True},
            },
        )
        oac = aws.cloudfront_origin_access_control.CloudfrontOriginAccessControl(
            self,
            "oac",
            name=site_name,
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
        )
        self.distribution = typed(aws.cloudfront_distribution.CloudfrontDistribution)(
            self,
            "distribution",
            enabled=True,
            comment=f"silolake {silo.name}: partner upload and admin pages",
            default_root_object="index.html" if dropzone_bucket else "admin.html",
            http_version="http2and3",
            is_ipv6_enabled=True,
            price_class="PriceClass_100",
            origin=[
                {
                    "domainName": f"{site_name}.s3.{region}.amazonaws.com",
                    "originId": "site",
                    "originAccessControlId": oac.id,
                }
            ],
            default_cache_behavior={
                "allowed_methods": ["GET", "HEAD"],
                "cached_methods": ["GET", "HEAD"],
                "target_origin_id": "site",
                "viewer_protocol_policy": "redirect-to-https",
                "cache_policy_id": CACHING_OPTIMIZED,
                "response_headers_policy_id": self.headers.id,
                "compress": True,
            },
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            viewer_certificate={"cloudfront_default_certificate": True, "minimum_protocol_version": "TLSv1.2_2021"},
            logging_config={
                "bucket": f"{self.log_bucket.name}.s3.amazonaws.com",
                "prefix": "cloudfront/",
                "include_cookies": False,
            },
            depends_on=[self.log_bucket.bucket],
        )
        self.origin = f"https://{self.distribution.domain_name}"
        self.bucket = SecureBucket(
            self,
            "site",
            name=site_name,
            # Published page code, no data: SSE-S3 keeps the silo data key out of CloudFront's reach.
            kms_key_arn=None,
            access_log_bucket=logs_bucket,
            access_log_prefix="web/",
            statements=site_read_statements(ctx.partition, site_name, self.distribution.arn),
            partition=ctx.partition,
        )
        asset = TerraformAsset(self, "pages", path=str(site.root), type=AssetType.DIRECTORY, asset_hash=site.sha256)
        self.files = tuple(f for f in site.files if dropzone_bucket or f not in UPLOAD_PAGE_FILES)
        for i, name in enumerate(self.files):
            aws.s3_object.S3Object(
                self,
                f"page-{i}",
                bucket=self.bucket.bucket.id,
                key=name,
                source=f"{asset.path}/{name}",
                source_hash=_file_hash(site, name),
                content_type=content_type(name),
                cache_control="no-cache",
            )

    def write_config(self, config: Mapping[str, object]) -> None:
        """``config.json`` (see :func:`silolake.partner_runtime.runtime_config`), written by Terraform at deploy."""
        aws.s3_object.S3Object(
            self,
            "config",
            bucket=self.bucket.bucket.id,
            key=CONFIG_FILE,
            content=json.dumps(dict(config), sort_keys=True),
            content_type=content_type(CONFIG_FILE),
            cache_control="no-store",
        )


def _file_hash(site: Site, name: str) -> str:
    return hashlib.sha256((site.root / name).read_bytes()).hexdigest()
