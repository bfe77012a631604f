"""Workflow -> ASL. Pure functions: no I/O, no AWS."""

from sfn_flows.compile.compiler import CompiledWorkflow, assemble_definition, compile_workflow

__all__ = ["CompiledWorkflow", "assemble_definition", "compile_workflow"]
