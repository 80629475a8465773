"""The run's settings: SyncConfig and its sections, and the rules across options."""
