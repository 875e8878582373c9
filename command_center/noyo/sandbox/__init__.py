"""The Noyo sandbox: the documented Noyo API over HTTP, from generated data.

Start it with ``python manage.py noyo_sandbox``; in tests, use the fixtures in
``tests/sandbox_fixtures.py``. No Django imports anywhere in this package.

Where to look:

* ``carriers.py``  the carrier table the mirror seeds from;
* ``schedules.py`` where statuses are scheduled (connection archetypes, retries,
  request and snapshot stories): what changes when the clock moves;
* ``data.py``      the deterministic generator, record by record;
* ``state.py``     clock, faults, tokens, request log and the write overlay;
* ``api.py``       one handler per endpoint of ``contract.PATHS``;
* ``control.py``   the ``/_sandbox/*`` endpoints;
* ``server.py``    HTTP, auth and fault injection; ``RunningSandbox``.
"""

from .server import RunningSandbox
from .state import Config

__all__ = ["Config", "RunningSandbox"]
