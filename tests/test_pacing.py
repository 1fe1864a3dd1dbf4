"""Due times and waiting: on a simulated clock, and the shared pacer on gevent's loop."""

import time

import gevent
import pytest

from interview.feedback.pacing import PacedSchedule, Pacer, SharedPacer


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_a_burst_is_spread_one_delay_apart():
    schedule = PacedSchedule(0.02)
    dues = [schedule.due(5.0) for _ in range(4)]
    assert dues == pytest.approx([5.0, 5.02, 5.04, 5.06])


def test_n_characters_take_n_minus_one_delays_without_drift():
    schedule = PacedSchedule(0.02)
    dues = [schedule.due(0.0) for _ in range(1000)]
    assert dues[-1] - dues[0] == pytest.approx(999 * 0.02)


def test_a_slow_upstream_is_followed_as_it_arrives():
    schedule = PacedSchedule(0.02)
    assert schedule.due(1.0) == 1.0
    assert schedule.due(1.5) == 1.5  # arrived long after the previous one was due
    assert schedule.due(1.505) == pytest.approx(1.52)  # never closer than the delay


def test_zero_delay_sends_on_arrival():
    schedule = PacedSchedule(0.0)
    assert [schedule.due(t) for t in (1.0, 1.0, 2.0)] == [1.0, 1.0, 2.0]


def test_pacer_sleeps_until_the_deadline_and_not_for_past_ones():
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    pacer.wait_until(100.5)
    assert clock.now == pytest.approx(100.5)
    pacer.wait_until(99.0)
    assert clock.sleeps == [pytest.approx(0.5)]


def test_pacer_keeps_waiting_when_a_timer_wakes_early():
    clock = FakeClock()

    def early_sleep(seconds: float) -> None:
        clock.sleep(seconds * 0.5)

    Pacer(clock=clock, sleep=early_sleep).wait_until(101.0)
    assert clock.now >= 101.0 - 1e-9
    assert len(clock.sleeps) > 1


def wake_ups(pacer: SharedPacer, offsets: list[float]) -> list[tuple[float, float]]:
    """Greenlets each wait for a due time; return (due, woken at) in the order they woke."""
    start = time.monotonic() + 0.05
    woken: list[tuple[float, float]] = []

    def wait(due: float) -> None:
        pacer.wait_until(due)
        woken.append((due, time.monotonic()))

    # This process's hub may have been idle for a while, its loop's clock left behind:
    # a timeout started on it would expire at once. A worker's loop never idles so.
    gevent.get_hub().loop.update_now()
    gevent.joinall([gevent.spawn(wait, start + offset) for offset in offsets], timeout=5)
    return woken


def test_shared_pacer_wakes_every_stream_in_due_order_never_early():
    offsets = [0.03, 0.0, 0.05, 0.01, 0.01, 0.2, 0.004]
    woken = wake_ups(SharedPacer(), offsets)
    assert len(woken) == len(offsets)
    assert [due for due, _ in woken] == sorted(due for due, _ in woken)
    assert all(at >= due for due, at in woken)
    assert all(at - due < 0.05 for due, at in woken)


def test_shared_pacer_wakes_a_stream_due_before_the_armed_timer():
    pacer = SharedPacer()
    start = time.monotonic()
    late = gevent.spawn(pacer.wait_until, start + 0.3)
    gevent.sleep(0.01)  # the timer is armed for +0.3 s
    early = gevent.spawn(lambda: (pacer.wait_until(start + 0.05), time.monotonic())[1])
    early.join(timeout=1)
    assert early.successful() and start + 0.05 <= early.value < start + 0.2
    late.join(timeout=1)
    assert late.successful()


def test_a_released_shared_pacer_wakes_everyone_at_once():
    pacer = SharedPacer()
    waiting = [gevent.spawn(pacer.wait_until, time.monotonic() + 60) for _ in range(3)]
    gevent.sleep(0.01)
    started = time.monotonic()
    pacer.release()
    gevent.joinall(waiting, timeout=1)
    assert all(greenlet.successful() for greenlet in waiting)
    assert time.monotonic() - started < 0.5
    pacer.wait_until(time.monotonic() + 60)  # returns at once from now on
