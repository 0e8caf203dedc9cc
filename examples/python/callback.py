"""Place a voice callback: the platform calls party 1, then party 2, and connects them.

Against the real platform, export YUNHUNI_APP_ID, YUNHUNI_CERT_ID and YUNHUNI_SECRET_KEY, then::

    python examples/python/callback.py 13800000001 13800000002

Without those variables (or with ``--sandbox``) it starts the sandbox in-process, places the
call there, and waits for the end event that the platform would POST to your webhook.
``--verbose`` logs each request and event (as ``YUNHUNI_LOG=debug`` does).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import List, Optional

import yunhuni
from yunhuni.testing import Sandbox


def place(client: yunhuni.Client, party1: str, party2: str) -> yunhuni.CallCreated:
    """The one call an application makes: at most 10 minutes of conversation, with its order
    id echoed back in the end event."""
    return client.duo_callback(party1, party2, 600, user_data="order-42")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("party1", nargs="?", default="13800000001")
    parser.add_argument("party2", nargs="?", default="13800000002")
    parser.add_argument("--sandbox", action="store_true", help="use the in-process sandbox")
    parser.add_argument("--verbose", action="store_true", help="log each request and event")
    args = parser.parse_args(argv)
    if args.verbose:
        # The SDK's records go to the standard logger "yunhuni", at DEBUG level.
        logging.basicConfig(format="%(name)s: %(message)s")
        logging.getLogger("yunhuni").setLevel(logging.DEBUG)

    try:
        if os.environ.get("YUNHUNI_APP_ID") and not args.sandbox:
            call = place(yunhuni.Client.from_env(), args.party1, args.party2)
            print(f"placed voice callback {call.call_id}")
            return 0

        print("using the in-process sandbox (no YUNHUNI_APP_ID, or --sandbox)")
        with Sandbox(time_scale=100) as sandbox:
            call = place(sandbox.client(), args.party1, args.party2)
            print(f"placed voice callback {call.call_id}")
            end = sandbox.wait_for_end(call.call_id, timeout=30).parse()
            if isinstance(end, yunhuni.DuoCallbackEnd):
                print(f"ended: {end.outcome} after {end.talk_seconds} s of talk ({end.outcome_text})")
            return 0
    except yunhuni.YunhuniError as e:
        print(f"voice callback failed ({e.kind}): {e}", file=sys.stderr)
        if e.maybe_sent:
            # The request was written before the connection broke: the platform may have placed
            # the call. Placing it again could ring the parties twice; wait for its end event
            # (its user_data says which order it was) instead.
            return 2
        return 1


if __name__ == "__main__":
    sys.exit(main())
