"""The S3 adapter: S3ObjectStorage on aiobotocore, its client lifetime, multipart uploads and error mapping.

Public API (import from here):
    open_s3_storage(location, settings, *, worker_size=16, max_parallel_uploads=16, part_semaphore=None,
                    options=None) -> AsyncContextManager[S3ObjectStorage]
    S3ObjectStorage        the ObjectStorage port on one bucket prefix
    S3StorageOptions       per-side request options (SSE, SSE-C, checksums, storage class, ACL, request payer)
    map_botocore_errors    the vendor-to-domain error boundary (context manager)

Modules: client (client lifetime and configuration), storage, content (reads), multipart (uploads),
datapath (the swappable per-object request path), details (response conversion), options, errors, factory.
"""

from s3syncpy.adapters.s3.errors import map_botocore_errors
from s3syncpy.adapters.s3.factory import open_s3_storage
from s3syncpy.adapters.s3.options import S3StorageOptions
from s3syncpy.adapters.s3.storage import S3ObjectStorage

__all__ = ["S3ObjectStorage", "S3StorageOptions", "map_botocore_errors", "open_s3_storage"]
