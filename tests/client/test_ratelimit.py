from __future__ import annotations

import threading

import pytest

from airflow_provider_hubassoc.client import FakeClock, RateLimiter
from airflow_provider_hubassoc.client.ratelimit import parse_rate_limit_headers


def admitted_times(limiter: RateLimiter, clock: FakeClock, count: int) -> list[float]:
    times = []
    for _ in range(count):
        limiter.acquire()
        times.append(clock.monotonic())
    return times


def max_in_any_window(times: list[float], window: float) -> int:
    best = 0
    start = 0
    for end, at in enumerate(times):
        while times[start] <= at - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_250_requests_at_100_per_10s_take_20s_and_never_exceed_100_per_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_10s=100, clock=clock)
    times = admitted_times(limiter, clock, 250)
    assert clock.monotonic() >= 20.0
    assert max_in_any_window(times, 10.0) <= 100
    # and it is not needlessly slow: the margin is small
    assert clock.monotonic() < 21.0


def test_no_wait_below_capacity() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_10s=5, clock=clock)
    assert [limiter.acquire() for _ in range(5)] == [0.0] * 5
    assert clock.sleeps == []
    waited = limiter.acquire()
    assert waited == pytest.approx(10.25)


def test_penalize_pauses_every_caller() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_10s=100, clock=clock)
    limiter.penalize(7.0)
    assert limiter.acquire() == pytest.approx(7.0)
    limiter.penalize(0)
    assert limiter.acquire() == 0.0


def test_max_header_lowers_the_pace_but_never_raises_it() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_10s=100, clock=clock)
    limiter.observe({"X-HubSpot-RateLimit-Max": "50", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"})
    assert limiter.capacity == 50
    limiter.observe({"X-HubSpot-RateLimit-Max": "190", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"})
    assert limiter.capacity == 100
    limiter.observe({"x-hubspot-ratelimit-max": "10", "x-hubspot-ratelimit-interval-milliseconds": "1000"})
    assert limiter.capacity == 100  # 10 per second is 100 per 10 s


def test_remaining_zero_from_other_workers_waits_for_the_interval() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_10s=100, clock=clock)
    limiter.observe(
        {
            "X-HubSpot-RateLimit-Max": "100",
            "X-HubSpot-RateLimit-Remaining": "0",
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
        }
    )
    assert limiter.acquire() == pytest.approx(10.0)


def test_low_remaining_caps_this_worker_at_what_is_left() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_10s=100, clock=clock)
    for _ in range(10):
        limiter.acquire()
    # HubSpot: only 5 left in the portal's window (other workers spent the rest).
    limiter.observe(
        {"X-HubSpot-RateLimit-Remaining": "5", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"}
    )
    assert [limiter.acquire() for _ in range(5)] == [0.0] * 5
    assert limiter.acquire() > 0.0


def test_remaining_matching_our_own_use_does_not_slow_a_lone_worker() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_10s=100, clock=clock)
    for used in range(1, 100):
        limiter.acquire()
        limiter.observe({"X-HubSpot-RateLimit-Max": "100", "X-HubSpot-RateLimit-Remaining": str(100 - used)})
    assert clock.sleeps == []


def test_parse_rate_limit_headers() -> None:
    parsed = parse_rate_limit_headers(
        {
            "X-HubSpot-RateLimit-Max": "110",
            "X-HubSpot-RateLimit-Remaining": "7",
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
        }
    )
    assert parsed is not None
    assert (parsed.maximum, parsed.remaining, parsed.interval_seconds) == (110, 7, 10.0)
    assert parse_rate_limit_headers({"Content-Type": "application/json"}) is None
    assert parse_rate_limit_headers({"X-HubSpot-RateLimit-Remaining": "lots"}) is None


def test_threads_share_one_budget() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_10s=20, clock=clock)
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        for _ in range(15):
            limiter.acquire()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 60 requests at 20 per window need at least two full windows of (fake) waiting.
    assert clock.monotonic() >= 20.0


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(requests_per_10s=0)
    with pytest.raises(ValueError, match="negative"):
        RateLimiter(requests_per_10s=1, safety_margin_seconds=-1)


def test_fake_clock() -> None:
    clock = FakeClock(start=5.0)
    clock.sleep(2.5)
    clock.advance(1.0)
    assert clock.monotonic() == 8.5
    assert clock.sleeps == [2.5]
    assert clock.total_slept == 2.5
    with pytest.raises(ValueError, match="negative"):
        clock.sleep(-1)


def _budget(remaining: int, maximum: int = 30) -> dict[str, str]:
    return {
        "X-HubSpot-RateLimit-Max": str(maximum),
        "X-HubSpot-RateLimit-Remaining": str(remaining),
        "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
    }


def test_held_back_by_other_workers_resumes_as_their_requests_leave_the_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_10s=30, clock=clock)
    limiter.observe(_budget(remaining=10))  # t=0: other workers have 20 requests in the window
    clock.advance(5.0)
    limiter.observe(_budget(remaining=0))  # t=5: 10 more of theirs, the portal is full
    # The 20 seen at t=0 leave HubSpot's window by t=10, not 10 s after the last full answer.
    assert limiter.acquire() == pytest.approx(5.0)
    assert [limiter.acquire() for _ in range(19)] == [0.0] * 19
    assert limiter.acquire() == pytest.approx(5.0)  # the 10 seen at t=5 leave by t=15


def test_answers_counting_fewer_other_requests_free_their_slots_at_once() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_10s=30, clock=clock)
    limiter.observe(_budget(remaining=0))  # 30 of the others' requests in the window
    clock.advance(3.0)
    limiter.observe(_budget(remaining=12))  # HubSpot now counts only 18: 12 have left
    assert [limiter.acquire() for _ in range(12)] == [0.0] * 12
    assert limiter.try_acquire() == pytest.approx(7.0)


def test_a_huge_max_with_nothing_remaining_waits_for_the_interval() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_10s=30, clock=clock)
    limiter.observe(_budget(remaining=0, maximum=1_000_000_000))
    assert limiter.capacity == 30
    assert limiter.acquire() == pytest.approx(10.0)


def test_other_workers_count_against_the_portal_not_against_a_lower_configured_share() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_10s=10, clock=clock)
    limiter.observe(_budget(remaining=85, maximum=100))  # others have 15 of the portal's 100
    assert [limiter.acquire() for _ in range(5)] == [0.0] * 5
    clock.advance(1.0)
    limiter.observe(_budget(remaining=0, maximum=100))  # now the others hold the other 95
    assert limiter.try_acquire() == pytest.approx(9.0)  # the first 15 leave at t=10
    clock.advance(9.0)
    assert [limiter.acquire() for _ in range(5)] == [0.0] * 5  # our share, not the portal's 15


def test_a_per_second_budget_only_lowers_the_pace() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_10s=100, clock=clock)
    for _ in range(30):
        limiter.acquire()
        limiter.observe(
            {
                "X-HubSpot-RateLimit-Max": "10",
                "X-HubSpot-RateLimit-Remaining": "9",
                "X-HubSpot-RateLimit-Interval-Milliseconds": "1000",
            }
        )
    assert clock.sleeps == []


def test_requests_other_workers_send_while_ours_travel_keep_their_slots() -> None:
    # Three other workers send one request each during every round trip of ours. An answer shows
    # the portal as it was when HubSpot sent it, so the limiter leaves room for the three on their
    # way instead of taking the last free slots (four workers reading "2 remaining" at once all
    # send, and two of them get a 429).
    clock = FakeClock()
    limiter = RateLimiter(requests_per_10s=30, clock=clock)
    own, others = 1, 3
    limiter.acquire()
    limiter.observe(_budget(remaining=30 - own - others))
    while limiter.try_acquire() is None:
        own, others = own + 1, others + 3
        clock.advance(0.02)
        limiter.observe(_budget(remaining=30 - own - others))
    assert (own, others) == (7, 21)  # 2 slots left for the 3 on their way; it stopped a trip early
    assert 30 - own - others - 3 < 0 < 30 - own - others


def test_the_room_left_for_other_workers_ends_with_their_requests() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_10s=30, clock=clock)
    limiter.acquire()
    limiter.observe(_budget(remaining=26))  # 3 of theirs
    limiter.acquire()
    clock.advance(0.02)
    limiter.observe(_budget(remaining=20))  # 4 more of theirs during our round trip
    clock.advance(10.3)  # every request of theirs has left HubSpot's window, ours too
    assert [limiter.acquire() for _ in range(30)] == [0.0] * 30  # the whole portal again
