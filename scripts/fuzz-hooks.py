"""Schemathesis hooks for `npm run fuzz` (scripts/fuzz.ts loads this file through SCHEMATHESIS_HOOKS).

Test data the OpenAPI document cannot carry, as credentials are: who the caller is. A task or fall-out
body may name who acts (`by`), and the API refuses a name that is not the token's subject (400, rule
`principal`, the identity issue). The fuzzer holds one token, so `by` is that token's subject in every
body it sends; the refusal of another name is tested in test/integration/identity.test.ts.
"""

import os

import schemathesis

SUBJECT = os.environ.get("FUZZ_SUBJECT", "script")


@schemathesis.hook
def map_case(context, case):
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("by"), str):
        case.body = {**body, "by": SUBJECT}
    return case
