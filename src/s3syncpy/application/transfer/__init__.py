"""One object's transfer: the per-object flow, the strategies per direction, update checks, integrity."""
