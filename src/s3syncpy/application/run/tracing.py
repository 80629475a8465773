"""Names of the loggers whose records the CLI treats specially (one place, shared by the layers that log to them).

* SPAN_LOGGER_NAME: span events (a "new" record when an S3 request starts, "close" with its duration when it
  ends). Silent unless --span-events-tracing; the adapters check `isEnabledFor` so they cost nothing otherwise.
* REPORT_LOGGER_NAME: report mode's SYNC_STATUS / METADATA_SYNC_STATUS / TAGGING_SYNC_STATUS / REPORT_SUMMARY
  records.
"""

from __future__ import annotations

SPAN_LOGGER_NAME = "s3syncpy.span"
REPORT_LOGGER_NAME = "s3syncpy.report"
