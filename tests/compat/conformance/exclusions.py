"""What of Ceph's s3-tests is not run against dotdo's S3 layer, and why (the README keeps the table)."""

from __future__ import annotations

EXCLUDED_MARKERS: dict[str, str] = {
    "abac_test": "IAM attribute-based access control: no IAM in this layer",
    "appendobject": "Ceph's append extension, not part of S3",
    "bucket_encryption": "server-side encryption: not implemented",
    "bucket_logging": "server access logging: not implemented",
    "bucket_logging_cleanup": "server access logging: not implemented",
    "bucket_policy": "bucket policies: access is per tenant and access key, not by policy documents",
    "cloud_restore": "RGW cloud tiering, not part of S3",
    "cloud_transition": "RGW cloud tiering, not part of S3",
    "encryption": "server-side encryption (SSE-C, SSE-KMS): not implemented",
    "fails_on_aws": "the suite marks these as failing on AWS S3 itself (RGW-specific behaviour)",
    "group": "IAM groups: no IAM in this layer",
    "group_policy": "IAM group policies: no IAM in this layer",
    "iam_account": "IAM accounts: no IAM in this layer",
    "iam_cross_account": "IAM: no IAM in this layer",
    "iam_role": "IAM roles: no IAM in this layer",
    "iam_tenant": "RGW tenants through IAM, not part of S3",
    "iam_user": "IAM users: no IAM in this layer",
    "lifecycle": "lifecycle rules: not implemented",
    "lifecycle_expiration": "lifecycle rules: not implemented",
    "lifecycle_transition": "lifecycle rules: not implemented",
    "object_lock": "object lock and retention: not implemented",
    "object_ownership": "object ownership controls: not implemented",
    "role_policy": "IAM role policies: no IAM in this layer",
    "s3select": "S3 Select: not implemented",
    "s3website": "static website hosting: not implemented",
    "s3website_redirect_location": "static website hosting: not implemented",
    "s3website_routing_rules": "static website hosting: not implemented",
    "session_policy": "STS session policies: no STS in this layer",
    "sns": "bucket notifications through SNS: not implemented (changes are events through ctx.send)",
    "sse_s3": "server-side encryption: not implemented",
    "storage_class": "storage classes other than STANDARD: not implemented",
    "tagging": "object and bucket tagging: not implemented",
    "test_of_sts": "STS: no STS in this layer",
    "token_claims_trust_policy_test": "STS web identity: no STS in this layer",
    "token_principal_tag_role_policy_test": "STS web identity: no STS in this layer",
    "token_request_tag_trust_policy_test": "STS web identity: no STS in this layer",
    "token_resource_tags_test": "STS web identity: no STS in this layer",
    "token_role_tags_test": "STS web identity: no STS in this layer",
    "token_tag_keys_test": "STS web identity: no STS in this layer",
    "user_policy": "IAM user policies: no IAM in this layer",
    "webidentity_test": "STS web identity: no STS in this layer",
}
"""Features left out whole, by the suite's own pytest markers."""

EXCLUDED_TESTS: dict[str, str] = {}
"""Single tests left out, each with its reason."""
