"""ByteBudget: held bytes bounded, granted first come first served, cancellations never leak a reservation."""

from __future__ import annotations

import asyncio

import pytest

from s3syncpy.adapters.s3.byte_budget import ByteBudget


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_reservations_within_the_limit_are_granted_at_once() -> None:
    budget = ByteBudget(10)
    assert await budget.acquire(4) == 4
    assert await budget.acquire(6) == 6


async def test_a_reservation_over_the_limit_waits_for_a_release() -> None:
    budget = ByteBudget(10)
    await budget.acquire(8)
    waiter = asyncio.ensure_future(budget.acquire(5))
    await _settle()
    assert not waiter.done()
    budget.release(8)
    assert await waiter == 5


async def test_waiters_are_served_in_arrival_order() -> None:
    budget = ByteBudget(10)
    await budget.acquire(10)
    order: list[str] = []

    async def take(name: str, size: int) -> None:
        await budget.acquire(size)
        order.append(name)

    big = asyncio.ensure_future(take("big", 9))
    await _settle()
    small = asyncio.ensure_future(take("small", 1))  # would fit beside "big", but must not overtake it
    await _settle()
    assert order == []
    budget.release(10)
    await asyncio.gather(big, small)
    assert order == ["big", "small"]


async def test_a_body_larger_than_the_budget_takes_all_of_it_and_runs_alone() -> None:
    budget = ByteBudget(10)
    await budget.acquire(3)
    huge = asyncio.ensure_future(budget.acquire(1000))
    await _settle()
    assert not huge.done()
    budget.release(3)
    assert await huge == 10
    other = asyncio.ensure_future(budget.acquire(1))
    await _settle()
    assert not other.done()
    budget.release(10)
    assert await other == 1


async def test_a_cancelled_waiter_lets_the_next_one_in() -> None:
    budget = ByteBudget(10)
    await budget.acquire(6)
    first = asyncio.ensure_future(budget.acquire(8))
    await _settle()
    second = asyncio.ensure_future(budget.acquire(4))
    await _settle()
    assert not second.done()  # queued behind the first
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await second == 4


async def test_a_grant_cancelled_before_use_is_given_back() -> None:
    budget = ByteBudget(10)
    await budget.acquire(10)
    waiter = asyncio.ensure_future(budget.acquire(10))
    await _settle()
    budget.release(10)  # grants the waiter ...
    waiter.cancel()  # ... which is cancelled before it resumes
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert await asyncio.wait_for(budget.acquire(10), timeout=1) == 10
