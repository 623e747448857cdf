#!/usr/bin/env python3
"""gridops' Open311 GeoReport v2 endpoint as a third-party client sees it.

Every Open311 call goes through civicbot's `Open311Client` (PyPI `civicbot`,
pinned in requirements.txt): a GeoReport v2 client written for American
cities' endpoints, which knows nothing of gridops. If it can list the
services, read a definition, post a request and read it back here, so can
other clients built on the spec. `run.sh` starts the server and issues the
key; this script only talks to the endpoint.

    python check_client.py http://127.0.0.1:8080/open311/v2 o311_...

Prints each check; the last line counts them. Exit status 1 when any failed.
"""

import argparse
import json
import sys
import traceback

from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint

# Inside the demo grid 410102003001002 (中原区, 航海西路街道).
LAT, LONG = 34.7185788, 113.6068306
SNOW = "public_safety.snow_ice.snow_on_sheds"
DESCRIPTION = "车棚顶积雪约二十厘米，棚体已变形，请尽快清理。"


class Check:
    """Runs named checks in order, remembering what they found."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.found = {}

    def __call__(self, name, fn):
        try:
            detail = fn()
        except Exception as e:  # a failed assert or an unexpected answer alike
            self.failed += 1
            print(f"FAIL  {name}: {type(e).__name__}: {e}")
            if not isinstance(e, (AssertionError, HttpError)):
                traceback.print_exc(limit=3)
            return
        self.passed += 1
        print(f"ok    {name}" + (f": {detail}" if detail else ""))

    def need(self, key):
        assert key in self.found, f"an earlier check did not find {key}"
        return self.found[key]


def refused(call, status):
    """The spec's error document of a call that must fail with `status`."""
    try:
        answer = call()
    except HttpError as e:
        assert e.status == status, f"HTTP {e.status}, expected {status}: {e.body[:200]}"
        errors = json.loads(e.body)
        assert isinstance(errors, list) and errors, f"not the spec's errors array: {e.body[:200]}"
        assert errors[0].get("code") == status, f"errors[0].code is not {status}: {errors[0]}"
        return errors[0].get("description", "")
    raise AssertionError(f"expected HTTP {status}, got an answer: {answer}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="the endpoint, e.g. http://127.0.0.1:8080/open311/v2")
    parser.add_argument("api_key", help="a key from `gridops open311 key create`")
    args = parser.parse_args()

    endpoint = Endpoint(id="gridops", name="gridops demo", base_url=args.base_url, write=True)
    # The library waits 0.5 s between calls to a host by default; a local
    # server needs no such politeness.
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0.0))
    client = Open311Client(endpoint, transport=transport)
    check = Check()
    print(f"civicbot Open311Client against {args.base_url}")

    def services():
        found = client.list_services()
        codes = {s["service_code"] for s in found}
        assert len(found) >= 10, f"only {len(found)} services"
        assert "neighbourhood.dog_noise" in codes, "no neighbourhood.dog_noise"
        assert SNOW in codes, f"no {SNOW}"
        snow = next(s for s in found if s["service_code"] == SNOW)
        return f"{len(found)} services, {SNOW} is {snow['service_name']!r} in {snow.get('group')!r}"

    check("GET services.json", services)

    def definition():
        found = client.get_service_definition(SNOW)
        assert found.get("service_code") == SNOW, f"service_code {found.get('service_code')!r}"
        attributes = found.get("attributes")
        assert isinstance(attributes, list), f"attributes is {attributes!r}"
        codes = [a["code"] for a in attributes]
        check.found["attributes"] = {
            a["code"]: [v["key"] for v in a.get("values", [])] for a in attributes
        }
        return f"{len(attributes)} attribute(s): {codes}"

    check(f"GET services/{SNOW}.json", definition)

    def post_snow():
        answers = {}
        for code, keys in check.found.get("attributes", {}).items():
            if keys:
                answers[code] = keys[0]
        # validate_remote: the library reads services and the definition and
        # checks the form against them before it sends.
        sent = client.create_request(
            SNOW,
            dry_run=False,
            confirm="SEND",
            api_key=args.api_key,
            validate_remote=True,
            lat=LAT,
            lng=LONG,
            description=DESCRIPTION,
            attributes=answers,
        )
        answer = sent.response
        assert isinstance(answer, list) and len(answer) == 1, f"answer {answer!r}"
        return answer[0], sent.redacted_form()

    def post():
        answer, form = post_snow()
        reference = answer.get("service_request_id")
        assert reference, f"no service_request_id: {answer}"
        assert not answer.get("token"), f"a token as well: {answer}"
        check.found["reference"] = reference
        sent = ", ".join(f"{k}={v}" for k, v in form.items() if k not in ("description", "api_key"))
        return f"service_request_id {reference} ({sent}); notice {answer.get('service_notice')!r}"

    check("POST requests.json (lat/long, attribute[…], Chinese description)", post)

    def retry():
        reference = check.need("reference")
        answer, _ = post_snow()
        again = answer.get("service_request_id")
        assert again == reference, f"a second case {again!r}, not {reference}"
        return f"answers {reference} again, no second case"

    check("POST the same request again (a client's retry)", retry)

    def read_back():
        reference = check.need("reference")
        found = client.get_request(reference)
        assert found, f"no request {reference}"
        assert found["service_request_id"] == reference, f"read {found['service_request_id']}"
        assert found["status"] == "open", f"status {found['status']!r}"
        assert found["service_code"] == SNOW, f"service_code {found['service_code']!r}"
        assert found["description"] == DESCRIPTION, f"description {found['description']!r}"
        assert abs(float(found["lat"]) - LAT) < 1e-6, f"lat {found['lat']}"
        assert abs(float(found["long"]) - LONG) < 1e-6, f"long {found['long']}"
        return (
            f"status {found['status']}, requested {found['requested_datetime']}, "
            f"expected {found.get('expected_datetime')}"
        )

    check("GET requests/{id}.json", read_back)

    def listed():
        reference = check.need("reference")
        found = client.list_requests()
        ids = [r["service_request_id"] for r in found]
        assert reference in ids, f"{reference} not among {ids[:10]}"
        only = client.list_requests(service_request_ids=[reference])
        assert [r["service_request_id"] for r in only] == [reference], f"by id: {only}"
        by_code = client.list_requests(service_code=SNOW, status="open")
        assert reference in [r["service_request_id"] for r in by_code], "not by service_code"
        return f"{len(found)} request(s) listed; found by id and by service_code+status"

    check("GET requests.json", listed)

    def address_only():
        sent = client.create_request(
            SNOW,
            dry_run=False,
            confirm="SEND",
            api_key=args.api_key,
            address_string="中原区桐柏路 45 号院 3 号楼北侧车棚",
            description="车棚顶积雪，地址见上。",
        )
        answer = sent.response[0]
        token = answer.get("token")
        assert token and not answer.get("service_request_id"), f"answer {answer}"
        found = client.get_token(token)
        assert isinstance(found, list) and found[0].get("token") == token, f"token answer {found}"
        assert found[0].get("service_request_id") is None, f"placed already? {found}"
        return f"token {token}, waiting for a dispatcher"

    check("POST requests.json (address_string only) and GET tokens/{token}.json", address_only)

    def wrong_key():
        description = refused(
            lambda: client.create_request(
                SNOW, dry_run=False, confirm="SEND", api_key="o311_not-a-key",
                lat=LAT, lng=LONG, description=DESCRIPTION,
            ),
            403,
        )
        assert "api_key" in description, f"does not name api_key: {description!r}"
        return description

    check("POST with an unknown key is 403", wrong_key)

    def unknown_service():
        description = refused(
            lambda: client.create_request(
                "no.such.service", dry_run=False, confirm="SEND", api_key=args.api_key,
                lat=LAT, lng=LONG, description=DESCRIPTION,
            ),
            400,
        )
        assert "service_code" in description, f"does not name service_code: {description!r}"
        return description

    check("POST with an unknown service_code is 400 naming it", unknown_service)

    print(f"open311: {check.passed} passed, {check.failed} failed")
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
