"""The benchmark workloads, one module per implementation.

Every implementation module exposes the same functions:

- ``version() -> str``
- ``build_<workload>(size) -> runnable`` for each workload in ``common.WORKLOADS``
  (``build`` reuses ``build_chain``: building *is* the measured work there)
- ``run_<workload>(runnable) -> raw result`` (the timed call)
- ``final_state(raw) -> dict`` (untimed normalisation of the raw result)
- ``supersteps(raw) -> int | None`` (what the framework itself reports, if anything)
- ``node_count(runnable) -> int`` (for the ``build`` workload)
- optionally ``step_functions(size)`` (untimed: distinct functions, one ``def`` per node, from a
  generated module) and ``build_chain_from(functions)``, which the ``build`` workload then times
  instead of ``build_chain``; ``compile`` uses ``prepare_chain(size)`` / ``compile_chain(...)``

The correctness checks live in ``common`` and are the same for every implementation.
"""
