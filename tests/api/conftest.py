from tests.api.reads import population  # noqa: F401  (fixture)
from tests.connections.conftest import mirror_from_sandbox, retry_calls  # noqa: F401  (fixtures shared with the console's tests)
