"""Failed sign-in counters per username and per source IP, in a small DynamoDB table.

Counters are operational data, not credentials: a conditional ``UpdateItem`` is one cheap
atomic write, and the table's TTL attribute removes old counters by itself.

Fixed window: the first failure opens a window of ``window`` seconds (``expires_at``,
epoch seconds, also the TTL attribute); failures inside it add up; a key with at least
``max_failures`` failures is locked until ``expires_at``, after which the next failure
starts a new window. DynamoDB deletes expired items only eventually (within days), so
every read compares ``expires_at`` with the clock itself.

Table: partition key ``pk`` (string): ``user#<username>`` or ``ip#<address>``;
attributes ``failures`` (number) and ``expires_at`` (number, TTL).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from .model import valid_username


def _failed_condition(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def user_key(username: str) -> str:
    return f"user#{username}"


def ip_key(source_ip: str) -> str:
    return f"ip#{ipaddress.ip_address(source_ip)}"  # normalised (IPv6 has many spellings)


class Lockout:
    def __init__(
        self,
        *,
        table: str,
        dynamodb: Any,
        clock: Callable[[], datetime],
        window: int,
        max_user_failures: int,
        max_ip_failures: int,
    ):
        self.table = table
        self.db = dynamodb
        self.clock = clock
        self.window = window
        self.limits = {"user": max_user_failures, "ip": max_ip_failures}

    def _now(self) -> int:
        return int(self.clock().timestamp())

    def _keys(self, username: object, source_ip: str) -> list[str]:
        keys = [ip_key(source_ip)]
        if valid_username(username):
            keys.append(user_key(str(username)))
        return keys

    def locked(self, username: object, source_ip: str) -> bool:
        """True if the username or the source IP has reached its limit in its current window."""
        now = self._now()
        for key in self._keys(username, source_ip):
            item = self.db.get_item(TableName=self.table, Key={"pk": {"S": key}}, ConsistentRead=True).get("Item")
            if not item or int(item["expires_at"]["N"]) <= now:
                continue
            if int(item["failures"]["N"]) >= self.limits[key.split("#", 1)[0]]:
                return True
        return False

    def failure(self, username: object, source_ip: str) -> None:
        for key in self._keys(username, source_ip):
            self._bump(key)

    def success(self, username: str) -> None:
        """A correct sign-in clears the username's counter (not the IP's: many partners may share a NAT)."""
        self.db.delete_item(TableName=self.table, Key={"pk": {"S": user_key(username)}})

    def _bump(self, key: str) -> None:
        now = self._now()
        values = {":one": {"N": "1"}, ":now": {"N": str(now)}, ":end": {"N": str(now + self.window)}}
        for _ in range(3):  # bounded: each retry means another writer just moved the window
            try:
                self.db.update_item(
                    TableName=self.table,
                    Key={"pk": {"S": key}},
                    UpdateExpression="ADD failures :one SET expires_at = if_not_exists(expires_at, :end)",
                    ConditionExpression="attribute_not_exists(pk) OR expires_at > :now",
                    ExpressionAttributeValues=values,
                )
                return
            except ClientError as error:
                if not _failed_condition(error):
                    raise
            try:  # the window is over: start a new one, unless someone else just did
                self.db.put_item(
                    TableName=self.table,
                    Item={"pk": {"S": key}, "failures": {"N": "1"}, "expires_at": {"N": str(now + self.window)}},
                    ConditionExpression="attribute_not_exists(pk) OR expires_at <= :now",
                    ExpressionAttributeValues={":now": {"N": str(now)}},
                )
                return
            except ClientError as error:
                if not _failed_condition(error):
                    raise
