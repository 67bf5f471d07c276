"""A Redis server for the session (Rasa's lock store), in memory only, on a free loopback port."""

import pytest

from bench.servers import RedisServer, start_or_skip


@pytest.fixture(scope="session")
def redis_url():
    with start_or_skip(RedisServer) as server:
        yield server.url
