"""Operations: the task queue's worker with leases, the scheduler of periodic work, and what
the health endpoint reads about them (docs/operations.md)."""
