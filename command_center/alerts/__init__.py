"""Alerts that reach people: e-mail and webhook digests of what they subscribed to.

The way down, one module each:

* ``models``: ``Channel`` (set up by an administrator: e-mail, or a Slack/Teams-style webhook),
  ``Subscription`` (a person's: new attention items by kind and carrier, a family without a
  successful sync for N minutes, a failed retry or write), ``Alert`` (one per subscription and
  event, by a unique constraint) and ``Delivery`` (one digest message and how sending it went);
* ``events.collect``: turns what the syncs and writes recorded into alerts;
* ``digest.make_due``: the alerts of one channel (one address, for e-mail) whose window
  (``ALERT_DIGEST_SECONDS``) is over become one delivery, its text written once;
* ``deliver.attempt``: one try at sending it, with growing waits on errors that may pass;
* ``tasks``: the tick beat runs every minute (``command_center.alerts_tick``: collect, make the
  digests, queue them) and the task that sends one delivery (``command_center.send_alert_delivery``);
* ``views``: the subscription page (everyone), the channels page (everyone) and the deliveries page
  (``command_center.view_delivery``: superusers, or whom an administrator gives it).
"""
