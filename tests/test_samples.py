from hypothesis import given
from hypothesis import strategies as st

from agent.rules import samples


@given(st.binary(max_size=4096))
def test_round_trip(data: bytes) -> None:
    encoded = samples.encode(data)
    assert samples.decode(encoded) == data
    assert all(len(line) <= 76 for line in encoded.splitlines())


def test_encoded_text_hides_the_trait() -> None:
    assert b"eval" not in samples.encode(b"<%eval(Request.Item[1])%>")
