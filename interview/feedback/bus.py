"""Live characters between processes, over Redis pub/sub when REDIS_URL is set.

One channel per generating record, `interview:feedback:<id>`. The producer
publishes right after each progress flush has committed, so a message always
continues text that the database already holds:

    {"o": 120, "c": ["G", "o", ...]}   characters from 0-based offset `o`
    {"end": true}                      the record is finished: read it

A subscriber subscribes first, then reads the record, then keeps only the
characters past what it has (de-duplicating by offset), so nothing published
in between is missed or sent twice. Without Redis, `NullBus` publishes nothing
and followers poll the database instead. A Redis failure never fails a
generation: publishing is best effort, and followers fall back to the database.
"""

import logging
from typing import Any

import orjson
import redis

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "interview:feedback:"
_END = orjson.dumps({"end": True})


def channel_of(feedback_id: str) -> str:
    return CHANNEL_PREFIX + feedback_id


class Subscription:
    """One record's channel, subscribed; `get` returns its next message or None."""

    def __init__(self, pubsub: redis.client.PubSub) -> None:
        self._pubsub = pubsub

    def get(self, timeout: float) -> dict[str, Any] | None:
        message = self._pubsub.get_message(ignore_subscribe_messages=True, timeout=timeout)
        return orjson.loads(message["data"]) if message else None

    def close(self) -> None:
        self._pubsub.close()


class RedisBus:
    def __init__(self, url: str) -> None:
        # No connection is made here: the pool connects on first use, after gevent's patching.
        self._client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=3)

    def publish_characters(self, feedback_id: str, offset: int, characters: list[str]) -> None:
        self._publish(feedback_id, orjson.dumps({"o": offset, "c": characters}))

    def publish_end(self, feedback_id: str) -> None:
        self._publish(feedback_id, _END)

    def _publish(self, feedback_id: str, payload: bytes) -> None:
        try:
            self._client.publish(channel_of(feedback_id), payload)
        except redis.RedisError as exc:
            log.warning("publishing to Redis failed: %s", exc)

    def subscribe(self, feedback_id: str) -> Subscription | None:
        """Subscribe to the record's channel; None when Redis does not answer."""
        pubsub = self._client.pubsub()
        try:
            pubsub.subscribe(channel_of(feedback_id))
        except redis.RedisError as exc:
            log.warning("subscribing in Redis failed, following the database: %s", exc)
            pubsub.close()
            return None
        return Subscription(pubsub)


class NullBus:
    """No Redis: nothing is published, followers poll the database."""

    def publish_characters(self, feedback_id: str, offset: int, characters: list[str]) -> None:
        pass

    def publish_end(self, feedback_id: str) -> None:
        pass

    def subscribe(self, feedback_id: str) -> None:
        return None


def bus_from_config(redis_url: str | None) -> RedisBus | NullBus:
    return RedisBus(redis_url) if redis_url else NullBus()
