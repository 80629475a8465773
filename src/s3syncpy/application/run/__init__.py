"""What one run carries: its context, events, rate limits, report, progress and the user's callbacks."""
