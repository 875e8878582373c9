"""gunicorn's settings for the web processes; gunicorn reads this file when it starts in this folder.

A page here is CPU work in Python (the ORM, templates) far more than waiting on Postgres: a list
page takes ~27 ms of CPU in its ~32 ms on an idle machine. So the processes are sized to the cores, not to the
people: two per core keep each core busy while another waits on Postgres, and more only switch
between one another. Each is a sync worker, one request at a time: threads would share one core
through Python's lock and gain nothing for CPU work. The socket's backlog (2048) holds the
requests that wait. On a 2-core machine this is 4 processes.

WEB_CONCURRENCY (processes) and WEB_THREADS (threads per process: more than 1 makes them gthread
workers) override it; any flag on the command line overrides this file.
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count())
threads = int(os.environ.get("WEB_THREADS") or 1)
# A request that takes longer than this is cut off and its worker restarted.
timeout = 30
# Django logs what matters; gunicorn's access log would print a line per request.
accesslog = None
