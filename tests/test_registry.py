import pytest

from nst.errors import UnknownNameError
from nst.registry import Registry


def make() -> Registry:
    registry: Registry = Registry("loss")

    @registry.register("mse", "squares")
    def mse():
        return 1

    registry.add("mae", "absolutes", 2)
    return registry


def test_lookup_and_order():
    registry = make()
    assert registry.names() == ["mse", "mae"]
    assert registry.get("mae") == 2
    assert registry.get("mse")() == 1
    assert [e.description for e in registry] == ["squares", "absolutes"]


def test_unknown_name_suggests_the_closest_and_lists_all():
    with pytest.raises(UnknownNameError) as error:
        make().get("mce")
    message = str(error.value)
    assert "unknown loss 'mce'" in message
    assert "did you mean 'mse'?" in message
    assert message.endswith("choose from: mse, mae")


def test_no_hint_when_nothing_is_close():
    with pytest.raises(UnknownNameError) as error:
        make().get("zzzzzz")
    assert "did you mean" not in str(error.value)


def test_a_name_cannot_be_registered_twice():
    registry = make()
    with pytest.raises(ValueError):
        registry.add("mse", "again", 3)
