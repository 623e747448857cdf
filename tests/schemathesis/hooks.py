"""schemathesis hooks for gridops (loaded through schemathesis.toml).

A client sends a new `Idempotency-Key` with each new request and the same
one only when it retries that request; the generated cases do not know that,
and two different bodies drawn with the same short key would be answered 422
`idempotency_key_reused`, as they should. So a key the document allows gets a
unique suffix (still within its pattern and length); a key it forbids, which
is what a negative case is testing, is left as it was drawn.
"""

import re
import uuid

import schemathesis

KEY = "Idempotency-Key"
ALLOWED = re.compile(r"^[!-~]{1,200}$")


@schemathesis.hook("before_call")
def unique_idempotency_keys(context, case, kwargs):
    headers = case.headers
    if not headers:
        return
    key = headers.get(KEY)
    if isinstance(key, str) and ALLOWED.match(key):
        headers[KEY] = f"{key}-{uuid.uuid4().hex}"


def _integers_as_integers(value):
    """`49.0` as `49`: JSON Schema counts both as integers, but serde reads
    an integer field only from a number written without a fraction, and no
    client of this API writes integers as floats."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, list):
        return [_integers_as_integers(v) for v in value]
    if isinstance(value, dict):
        return {k: _integers_as_integers(v) for k, v in value.items()}
    return value


@schemathesis.hook("before_call")
def integral_floats_as_integers(context, case, kwargs):
    if isinstance(case.body, (dict, list)):
        case.body = _integers_as_integers(case.body)
