"""Schemathesis hooks for `npm run fuzz` (scripts/fuzz.ts loads this file through SCHEMATHESIS_HOOKS).

Test data the OpenAPI document cannot carry, as credentials are:

- Who the caller is. A task or fall-out body may name who acts (`by`), and the API refuses a name that is
  not the token's subject (400, rule `principal`, the identity issue). The fuzzer holds one token, so `by`
  is that token's subject in every body it sends; the refusal of another name is tested in
  test/api/input-guards.test.ts.
- What exists. scripts/fuzz-fixtures.ts makes resources through the API before the run (an account, a
  draft quote, accepted quotes, an order in flight with running tasks and an open fall-out case) and
  passes their IDs in FUZZ_FIXTURES, keyed by the path segment before `{id}` (`orders`, `productOrder`...)
  and by body field (`accountId`, `quoteId`). Half of the schema-valid requests that name one get a real
  ID, so the fuzzer reaches what lies behind it instead of a 404. Invalid requests (the negative phase)
  are left as generated: they must still be refused.

Schemathesis re-judges a component a hook assigns (valid or not) from its value as it will be sent, path
parameters percent-encoded: a 26-character path value is 129 characters encoded, past `maxLength`, and the
request would be judged invalid although the server receives a valid one. So the hook assigns a component
only when it changes it.
"""

import json
import os
import random

import schemathesis

SUBJECT = os.environ.get("FUZZ_SUBJECT", "script")
FIXTURES = json.loads(os.environ.get("FUZZ_FIXTURES", "{}"))


def _positive(case):
    meta = getattr(case, "_meta", None)
    mode = getattr(getattr(meta, "generation", None), "mode", None)
    return mode is None or str(mode) == "positive"


def _resource_of(path, name):
    """The fixture key of path parameter `name` of `path`: the segment before it, or the name itself."""
    segments = path.strip("/").split("/")
    placeholder = "{" + name + "}"
    if placeholder not in segments:
        return None
    at = segments.index(placeholder)
    if name != "id":
        return name
    return segments[at - 1] if at > 0 else None


@schemathesis.hook
def map_case(context, case):
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("by"), str) and body["by"] != SUBJECT:
        case.body = {**body, "by": SUBJECT}
        body = case.body
    if not FIXTURES or not _positive(case) or random.random() < 0.5:
        return case
    if case.path_parameters:
        params = dict(case.path_parameters)
        for name in params:
            ids = FIXTURES.get(_resource_of(case.path, name) or "")
            if ids:
                params[name] = random.choice(ids)
        if params != case.path_parameters:
            case.path_parameters = params
    if isinstance(body, dict):
        fields = {key: random.choice(FIXTURES[key]) for key in ("accountId", "quoteId") if key in body and FIXTURES.get(key)}
        if fields:
            case.body = {**body, **fields}
    return case
