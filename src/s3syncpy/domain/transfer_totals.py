"""TransferTotals: how much the run has to transfer, as far as the source listing has told so far.

Every object the listing hands to the workers counts with its listed size; one that then turns out not to need
its bytes sent (up to date after a HEAD of the target, dropped by a filter that reads the object, failed) is
withdrawn again. Once the listing is complete the totals are final but for those withdrawals, so a progress
display can show done/total, a percentage and an estimate of the time left, as rclone's and the AWS CLI's do.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class TransferTotals:
    """Objects and bytes queued for transfer.

    Attributes:
        objects: objects handed to the workers, less those withdrawn.
        bytes: their listed sizes, less those withdrawn.
        listing_complete: the source listing has ended (the totals no longer grow).
    """

    objects: int = 0
    bytes: int = 0
    listing_complete: bool = False

    def add(self, size: int) -> None:
        """One object of `size` bytes was queued for transfer."""
        self.objects += 1
        self.bytes += size

    def withdraw(self, size: int, *, count_object: bool = True) -> None:
        """A queued object's `size` bytes will not be sent; with `count_object`, nor will it count as
        transferred (a tags-only update still does)."""
        self.bytes -= size
        if count_object:
            self.objects -= 1

    def absorb(self, other: TransferTotals) -> None:
        """Add the totals of another shard of the run (whether the listing is complete stays this one's)."""
        self.objects += other.objects
        self.bytes += other.bytes
