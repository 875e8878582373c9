"""The members API: employees, enrollments, snapshots and their carrier fulfillments, tracking
differences, member requests and transactions, each list as its page has it."""
