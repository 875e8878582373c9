from tests.sync.conftest import capture_writes, fast_retries, sync_now  # noqa: F401  (fixtures shared with the sync tests)
