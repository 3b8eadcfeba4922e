"""`regiotafel ARGS` with plan processing slowed down, for the topology test's workers.

To kill a worker *mid-job* every time, a job must last longer than the test needs to see it
and send the signal. This runs the real ``regiotafel`` command (``worker``), after wrapping
``regiotafel.plans.jobs.score_document`` so that every plan pauses
``TOPOLOGY_PLAN_PAUSE_SECONDS`` after it was read and before it is scored: the plan row says
'bezig', its job is RUNNING under a lease, nothing is stored yet. Nothing in the platform
knows about this file; production code has no test hook.

Usage: ``python tests/topology/slow_plans.py worker``.
"""

from __future__ import annotations

import os
import sys
import time


def main() -> None:
    pause = float(os.environ.get("TOPOLOGY_PLAN_PAUSE_SECONDS", "0"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regiotafel.settings")
    import django

    django.setup()
    from regiotafel.plans import jobs

    score_document = jobs.score_document

    def slow_score_document(*args, **kwargs):
        time.sleep(pause)
        return score_document(*args, **kwargs)

    jobs.score_document = slow_score_document
    from regiotafel import cli

    cli.main(sys.argv[1:])


if __name__ == "__main__":
    main()
