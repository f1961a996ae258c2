import threading
import time

from nst.caching import OnceCache, shared


def test_each_key_is_built_once_even_when_threads_ask_at_the_same_time():
    cache: OnceCache[int] = OnceCache()
    builds, barrier = [], threading.Barrier(8)

    def build(key: int) -> int:
        builds.append(key)
        time.sleep(0.05)  # long enough for every thread to arrive while the first builds
        return key * 10

    def ask(key: int, out: list) -> None:
        barrier.wait()
        out.append(cache.get(key, lambda: build(key)))

    results: list = []
    threads = [threading.Thread(target=ask, args=(i % 2, results)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(builds) == [0, 1] and sorted(results) == [0] * 4 + [10] * 4
    assert cache.misses == 2 and cache.hits == 6


def test_the_least_recently_used_is_evicted_beyond_the_size():
    cache: OnceCache[str] = OnceCache(size=2)
    cache.get("a", lambda: "A")
    cache.get("b", lambda: "B")
    cache.get("a", lambda: "not rebuilt")  # a is now the most recent
    cache.get("c", lambda: "C")  # evicts b
    assert len(cache) == 2 and cache.get("a", lambda: "rebuilt") == "A"
    assert cache.get("b", lambda: "B again") == "B again"


def test_a_failed_build_is_not_kept_and_can_be_retried():
    cache: OnceCache[int] = OnceCache()

    def fail() -> int:
        raise ValueError("no")

    try:
        cache.get("k", fail)
    except ValueError:
        pass
    assert len(cache) == 0 and cache.get("k", lambda: 3) == 3


def test_shared_calls_the_function_once_per_arguments():
    calls = []

    @shared(size=4)
    def square(x: int, scale: int = 1) -> int:
        calls.append((x, scale))
        return x * x * scale

    assert [square(3), square(3), square(3, scale=2), square(3, scale=2)] == [9, 9, 18, 18]
    assert calls == [(3, 1), (3, 2)] and square.cache.misses == 2
