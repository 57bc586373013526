"""The ForceNew table: a changed ForceNew attribute at a kept address is a replacement."""

from __future__ import annotations

import copy

from silolake.catalog.changes.forcenew import FORCE_NEW, replacements
from silolake.stacks.continuity import DATA_TYPES


def test_every_tabled_type_holds_data_identity_or_an_address():
    assert set(FORCE_NEW) <= DATA_TYPES


def test_a_changed_force_new_attribute_is_a_replacement_and_others_are_not():
    before = {
        "resource": {
            "aws_cognito_user": {"u": {"username": "ann@x.example", "user_pool_id": "p", "attributes": {"a": "1"}}},
            "aws_athena_workgroup": {"w": {"name": "wg", "description": "d"}},
        }
    }
    after = copy.deepcopy(before)
    after["resource"]["aws_cognito_user"]["u"]["username"] = "ben@x.example"  # positional owners, reordered
    after["resource"]["aws_athena_workgroup"]["w"]["description"] = "other"  # updated in place
    assert replacements(before, after) == {"aws_cognito_user.u": ["username"]}
    assert replacements(before, before) == {}
