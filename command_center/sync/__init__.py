"""The sync engine: how Noyo is mirrored into the database, gathered in one package.

Dependencies run one way, from the outside in::

    tasks      Celery tasks, thin: a run id in, ``runs.execute`` out
      ↓
    runs       a SyncRun's life: start (claim the families), execute, record the outcome, reap
      ↓
    families   which families exist, and ``FamilyRun``: reading Noyo's lists (org-wide or per
      ↓        parent) and feeding the engine; the family functions themselves live in the app
      ↓        that owns the models (``connections/sync.py``, ``members/sync.py``)
    engine     ``Mirror``: payloads of one resource into its table, in batches, with counts
      ↓        (``writer`` does the bulk upsert, ``payloads`` reads fields, ``records`` is the
      ↓        shared model base and conversions)
    client     the Noyo client as syncs configure it (``command_center.noyo``)

``admin`` and ``migration_ops`` are the shared admin base and migration operations of the
mirrored models.
"""
