"""Per-storage S3 request options that ClientSettings does not carry (encryption, checksums, ACL, request payer).

Public API:
    S3StorageOptions(...)                    frozen; the default sends none of these headers
    S3StorageOptions.read_params() / write_params() / create_params() / part_params() / complete_params() /
        attributes_params() / plain_params()      botocore parameters to merge into calls
    S3StorageOptions.full_object / checksum_type / secrets

One storage plays one role (source or target), so the source options (--source-sse-c, --source-request-payer,
--enable-additional-checksum) and the target options (--target-sse-c, --sse, --acl,
--additional-checksum-algorithm, ...) each go to the storage of their side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from s3syncpy.domain.customer_key import CustomerKey
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.model import ChecksumAlgorithm, ChecksumType


@dataclass(frozen=True, slots=True)
class S3StorageOptions:
    """What every request of one S3 storage adds.

    Attributes:
        checksum_algorithm: additional checksum computed and sent on every PutObject / UploadPart.
        full_object_checksum: multipart uploads use the FULL_OBJECT checksum type (CRC algorithms only).
        checksum_mode: ask HeadObject / GetObject for the stored checksums (x-amz-checksum-mode: ENABLED).
        sse: "AES256", "aws:kms" or "aws:kms:dsse" for written objects.
        sse_kms_key_id: the KMS key for aws:kms / aws:kms:dsse.
        sse_c: the customer key, sent on every read and write of this storage.
        request_payer: send x-amz-request-payer: requester.
        acl: a canned ACL for written objects.
        accelerate: use the Transfer Acceleration endpoint.
        payload_signing: False sends UNSIGNED-PAYLOAD.
        key_ordered_listing: the endpoint's ListObjectsV2 returns keys in UTF-8 binary order, as AWS S3 does (a
            key range then starts and stops the listing, and the listings may be compared by sorted merge).
            Some S3-compatible servers list in directory-tree order instead (SeaweedFS: `a/1` before `a-b`).
            None: as the client settings say (ClientSettings.key_ordered_listing), else by the endpoint the client
            resolved, wherever it came from (an AWS S3 host yes, any other no: adapters/s3/key_order.py).
    """

    checksum_algorithm: ChecksumAlgorithm | None = None
    full_object_checksum: bool = False
    checksum_mode: bool = False
    sse: str | None = None
    sse_kms_key_id: str | None = field(default=None, repr=False)
    sse_c: CustomerKey | None = None
    request_payer: bool = False
    acl: str | None = None
    accelerate: bool = False
    payload_signing: bool = True
    key_ordered_listing: bool | None = None

    @property
    def full_object(self) -> bool:
        """Whether multipart uploads use the FULL_OBJECT checksum type (CRC64NVME always does)."""
        algorithm = self.checksum_algorithm
        return algorithm is ChecksumAlgorithm.CRC64NVME or (
            self.full_object_checksum and algorithm in (ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32C)
        )

    @property
    def checksum_type(self) -> ChecksumType | None:
        """The CreateMultipartUpload ChecksumType, or None without an algorithm."""
        if self.checksum_algorithm is None:
            return None
        return ChecksumType.FULL_OBJECT if self.full_object else ChecksumType.COMPOSITE

    @property
    def secrets(self) -> tuple[str, ...]:
        """Strings that must never appear in messages: the SSE-C key and its MD5."""
        if self.sse_c is None:
            return ()
        values = [self.sse_c.key, self.sse_c.key_md5]
        try:
            values.append(self.sse_c.md5())
        except ConfigError:
            pass
        return tuple(dict.fromkeys(s for s in values if s))

    def _payer(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.request_payer:
            params["RequestPayer"] = "requester"
        return params

    def _sse_c(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.sse_c is not None:
            params["SSECustomerAlgorithm"] = self.sse_c.algorithm
            params["SSECustomerKey"] = self.sse_c.key
            params["SSECustomerKeyMD5"] = self.sse_c.md5()
        return params

    def read_params(self) -> dict[str, Any]:
        """Parameters for HeadObject and GetObject (SSE-C key, request payer, checksum mode)."""
        params = self._sse_c(self._payer({}))
        if self.checksum_mode:
            params["ChecksumMode"] = "ENABLED"
        return params

    def plain_params(self) -> dict[str, Any]:
        """Parameters for calls that carry neither encryption nor checksums (tagging, delete, abort)."""
        return self._payer({})

    def attributes_params(self) -> dict[str, Any]:
        """Parameters for GetObjectAttributes (SSE-C objects need their key here too)."""
        return self._sse_c(self._payer({}))

    def write_params(self) -> dict[str, Any]:
        """Parameters for PutObject and CreateMultipartUpload (the checksum value itself is added per body)."""
        params = self._sse_c(self._payer({}))
        if self.checksum_algorithm is not None:
            params["ChecksumAlgorithm"] = self.checksum_algorithm.value
        if self.sse is not None:
            params["ServerSideEncryption"] = self.sse
        if self.sse_kms_key_id is not None:
            params["SSEKMSKeyId"] = self.sse_kms_key_id
        if self.acl is not None:
            params["ACL"] = self.acl
        return params

    def create_params(self) -> dict[str, Any]:
        """The checksum type parameter CreateMultipartUpload adds to write_params() (empty without an algorithm)."""
        checksum_type = self.checksum_type
        return {} if checksum_type is None else {"ChecksumType": checksum_type.value}

    def part_params(self) -> dict[str, Any]:
        """Parameters for UploadPart (SSE-C must be repeated on every part; the value is added per body)."""
        params = self._sse_c(self._payer({}))
        if self.checksum_algorithm is not None:
            params["ChecksumAlgorithm"] = self.checksum_algorithm.value
        return params

    def complete_params(self) -> dict[str, Any]:
        """Parameters for CompleteMultipartUpload."""
        return self._sse_c(self._payer({}))
