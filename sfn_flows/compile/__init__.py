"""Workflow -> ASL. Pure functions: no I/O, no AWS."""

from sfn_flows.compile.compiler import CompiledWorkflow, compile_workflow

__all__ = ["CompiledWorkflow", "compile_workflow"]
