"""The sync pipeline: listing, merging, the workers, versioned and report runs, deletion."""
