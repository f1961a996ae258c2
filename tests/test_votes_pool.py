"""The pool of pairs: every two losses of one content, style and settings, and only those."""

import random

import pytest

from nst.errors import NSTError
from nst.votes.gallery import Output
from nst.votes.pool import Pool, pair_key


def output(loss: str, content: str = "c.png", settings_hash: str = "h") -> Output:
    return Output(content, "s.jpg", loss, settings_hash, {}, "vgg16-hed", b"x", loss)


def test_pairs_are_every_two_losses_of_one_unit():
    pool = Pool([output(loss) for loss in ("mse", "mae", "huber")] + [output("mse", settings_hash="other")])
    pairs = pool.pairs()
    assert len(pool) == len(pairs) == 3  # the lone output under other settings pairs with nothing
    assert {(a.loss, b.loss) for a, b in pairs} == {("mae", "mse"), ("huber", "mse"), ("huber", "mae")}
    assert all(a.unit == b.unit for a, b in pairs)


def test_a_pair_key_ignores_the_order():
    a, b = output("mse"), output("mae")
    assert pair_key(a, b) == pair_key(b, a) == "c.png|s.jpg|h|mae|mse"


def test_adding_a_unit_s_newer_output_replaces_the_older():
    pool = Pool([output("mse"), output("mae")])
    newer = Output("c.png", "s.jpg", "mae", "h", {}, "vgg16-hed", b"y", "newer")
    assert pool.add([newer, output("mse", content="d.png"), output("mae", content="d.png")]) == 2
    assert {a.digest for pair in pool.pairs() for a in pair} >= {"newer"}


def test_draw_prefers_pairs_not_seen():
    pool = Pool([output(loss) for loss in ("mse", "mae", "huber")])
    rng = random.Random(0)
    seen = {pair_key(*pair) for pair in pool.pairs()[:2]}
    assert all(pair_key(*pool.draw(rng, seen)) not in seen for _ in range(20))
    everything = {pair_key(*pair) for pair in pool.pairs()}
    assert pair_key(*pool.draw(rng, everything)) in everything  # all seen: any pair again


def test_an_empty_pool_says_so():
    with pytest.raises(NSTError, match="nothing to vote on"):
        Pool().draw(random.Random(0))
